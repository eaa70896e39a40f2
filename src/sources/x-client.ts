// Owns talking to X API v2 (through twitter-api-v2): the few reads the poller needs, behind an interface we own.
import http from 'node:http';
import https from 'node:https';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi, type TwitterRateLimit } from 'twitter-api-v2';
import type { XPage, XProblem, XUser } from '../domain/x-tweet.ts';
import { XApiError, isUsageCapped } from './x-errors.ts';

export interface RateLimitInfo {
  /** The endpoint template the limit applies to, e.g. `users/:id/mentions`. */
  endpoint: string;
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface XResponse<T> {
  body: T;
  rateLimit?: RateLimitInfo;
}

export interface TimelineQuery {
  sinceId?: string;
  startTime?: Date;
  paginationToken?: string;
  maxResults?: number;
}

export interface UserLookup {
  data?: XUser;
  errors?: XProblem[];
}

/** The reads the poller makes. Tests point the real implementation at a fake server; nothing mocks this. */
export interface XClient {
  userByUsername(username: string): Promise<XResponse<UserLookup>>;
  mentions(userId: string, q: TimelineQuery): Promise<XResponse<XPage>>;
  userTweets(userId: string, q: TimelineQuery): Promise<XResponse<XPage>>;
  searchRecent(query: string, q: TimelineQuery): Promise<XResponse<XPage>>;
}

export const ENDPOINTS = {
  user: 'users/by/username',
  mentions: 'users/:id/mentions',
  tweets: 'users/:id/tweets',
  search: 'tweets/search/recent',
} as const;

const TWEET_FIELDS = 'author_id,referenced_tweets,conversation_id,in_reply_to_user_id,created_at,entities,edit_history_tweet_ids';

export interface XClientOptions {
  bearerToken: string;
  baseUrl: string;
  /** Plain http is only for local test servers; config refuses it unless X_API_ALLOW_HTTP is set. */
  allowHttp: boolean;
  timeoutMs?: number;
}

export function createXClient(opts: XClientOptions): XClient {
  const base = new URL(opts.baseUrl);
  if (base.protocol === 'http:' && !opts.allowHttp) {
    throw new XApiError('X_BAD_REQUEST', 'X_API_BASE_URL uses plain http; set X_API_ALLOW_HTTP=1 only for a local test server');
  }
  // twitter-api-v2 sends through node:https; an http agent makes that request plain http (the explicit test switch).
  const httpAgent = base.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });
  const api = new TwitterApi(opts.bearerToken, { httpAgent });
  const prefix = base.toString().replace(/\/+$/, '') + '/2/';
  const timeout = opts.timeoutMs ?? 15_000;

  async function get<T>(endpoint: string, path: string, query: Record<string, string | number | undefined>): Promise<XResponse<T>> {
    const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
    try {
      const res = await api.get<T>(path, clean, { prefix, fullResponse: true, timeout });
      return { body: res.data, rateLimit: toRateLimit(endpoint, res.rateLimit) };
    } catch (err) {
      throw toXError(endpoint, err);
    }
  }

  const timeline = (q: TimelineQuery, tokenParam: 'pagination_token' | 'next_token') => ({
    'tweet.fields': TWEET_FIELDS,
    expansions: 'author_id',
    'user.fields': 'username,name',
    max_results: q.maxResults ?? 100,
    since_id: q.sinceId,
    // X rejects start_time together with since_id; since_id wins once a cursor exists.
    start_time: q.sinceId ? undefined : q.startTime?.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    [tokenParam]: q.paginationToken,
  });

  return {
    userByUsername: (username) => get(ENDPOINTS.user, `users/by/username/${encodeURIComponent(username)}`, { 'user.fields': 'username,name' }),
    mentions: (userId, q) => get(ENDPOINTS.mentions, `users/${encodeURIComponent(userId)}/mentions`, timeline(q, 'pagination_token')),
    userTweets: (userId, q) => get(ENDPOINTS.tweets, `users/${encodeURIComponent(userId)}/tweets`, timeline(q, 'pagination_token')),
    searchRecent: (query, q) => get(ENDPOINTS.search, 'tweets/search/recent', { query, ...timeline({ ...q, maxResults: Math.max(10, q.maxResults ?? 100) }, 'next_token') }),
  };
}

function toRateLimit(endpoint: string, rl: TwitterRateLimit | undefined): RateLimitInfo | undefined {
  if (!rl || !Number.isFinite(rl.limit) || !Number.isFinite(rl.reset)) return undefined;
  return { endpoint, limit: rl.limit, remaining: Number.isFinite(rl.remaining) ? rl.remaining : 0, resetAt: new Date(rl.reset * 1000) };
}

/** Maps twitter-api-v2's errors to ours, once, at the boundary. */
export function toXError(endpoint: string, err: unknown): XApiError {
  if (err instanceof XApiError) return err;
  if (err instanceof ApiResponseError) {
    const status = err.code;
    const body = err.data;
    const reset = err.rateLimit?.reset ?? Number(err.headers?.['x-rate-limit-reset']);
    const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
    const detail = (body as { detail?: string; title?: string } | undefined)?.detail ?? (body as { title?: string } | undefined)?.title ?? err.message;
    const o = { status, body, endpoint, resetAt, cause: err };
    if (status === 429 && isUsageCapped(body)) return new XApiError('X_USAGE_CAPPED', `X read cap reached on ${endpoint}: ${detail}`, o);
    if (status === 429) return new XApiError('X_RATE_LIMITED', `X rate limit reached on ${endpoint}`, o);
    if (status === 401) return new XApiError('X_UNAUTHORIZED', `X refused the bearer token on ${endpoint} (401): ${detail}; check X_BEARER_TOKEN`, o);
    if (status === 403) return new XApiError('X_FORBIDDEN', `X forbids ${endpoint} (403): ${detail}; check the app's access level`, o);
    if (status === 404) return new XApiError('X_NOT_FOUND', `X answered 404 on ${endpoint}: ${detail}`, o);
    if (status >= 500 || status === 408) return new XApiError('X_UNAVAILABLE', `X answered ${status} on ${endpoint}`, o);
    return new XApiError('X_BAD_REQUEST', `X answered ${status} on ${endpoint}: ${detail}`, o);
  }
  if (err instanceof ApiPartialResponseError) {
    return new XApiError('X_UNAVAILABLE', `X sent a cut-off or unparsable body on ${endpoint}`, { endpoint, cause: err });
  }
  if (err instanceof ApiRequestError) {
    return new XApiError('X_UNAVAILABLE', `request to X failed on ${endpoint}: ${err.requestError?.message ?? err.message}`, { endpoint, cause: err });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new XApiError('X_UNAVAILABLE', `request to X failed on ${endpoint}: ${e.message}`, { endpoint, cause: e });
}
