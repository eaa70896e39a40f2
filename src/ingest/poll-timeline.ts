// Owns reading one timeline of one handle page by page, committing each page with the cursor that makes a crash re-read, never skip.
import type { Db } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import type { XClient, XResponse, TimelineQuery } from '../sources/x-client.ts';
import { ENDPOINTS } from '../sources/x-client.ts';
import { XApiError } from '../sources/x-errors.ts';
import { withRetry, type Sleep } from '../sources/x-retry.ts';
import { mapXPage, type XPage } from '../domain/x-tweet.ts';
import { getCursor, throughCursor } from '../db/cursor.repository.ts';
import { ingestBatch } from '../db/ingest.repository.ts';
import { saveRateLimit, type StoredRateLimit } from '../db/x-usage.repository.ts';
import type { TweetLink } from '../db/tweet.repository.ts';

export type Timeline = 'mentions' | 'tweets' | 'search';

export const TIMELINE_ENDPOINT: Record<Timeline, string> = {
  mentions: ENDPOINTS.mentions,
  tweets: ENDPOINTS.tweets,
  search: ENDPOINTS.search,
};

/** A pagination in flight, stored beside the since_id cursor so a restart resumes at the next page. */
interface Pending {
  token: string;
  newestId?: string;
  sinceId?: string;
  startTime?: string;
  /** When the pagination's first page was asked for: the time the finished pagination covers. */
  polledAt?: string;
}


export interface TimelineContext {
  db: Db;
  x: XClient;
  log: Logger;
  clock: () => Date;
  sleep?: Sleep;
  random?: () => number;
  backfillHours: number;
  /** Rate limits known to all processes; updated in place as headers arrive. */
  limits: Map<string, StoredRateLimit>;
  maxPages?: number;
}

export interface TimelineTarget {
  handleId: number;
  handle: string;
  userId: string;
}

export interface TimelineResult {
  pages: number;
  posts: number;
  inserted: number;
  monthReads?: number;
}

export class RateLimitWait extends Error {
  readonly code = 'X_RATE_LIMIT_WAIT';
  constructor(
    readonly endpoint: string,
    readonly resetAt: Date,
  ) {
    super(`rate limit of ${endpoint} is spent until ${resetAt.toISOString()}`);
    this.name = 'RateLimitWait';
  }
}

function call(x: XClient, timeline: Timeline, t: TimelineTarget, q: TimelineQuery): Promise<XResponse<XPage>> {
  if (timeline === 'mentions') return x.mentions(t.userId, q);
  if (timeline === 'tweets') return x.userTweets(t.userId, q);
  return x.searchRecent(`@${t.handle} OR from:${t.handle}`, q);
}

export async function pollTimeline(ctx: TimelineContext, timeline: Timeline, t: TimelineTarget): Promise<TimelineResult> {
  const endpoint = TIMELINE_ENDPOINT[timeline];
  const pendingKey = `${timeline}:pending`;
  const sinceId = await getCursor(ctx.db, t.handleId, timeline);
  const pendingRaw = await getCursor(ctx.db, t.handleId, pendingKey);
  const pending: Pending | undefined = pendingRaw ? (JSON.parse(pendingRaw) as Pending) : undefined;
  // Without a cursor this is the first start: backfill the configured hours (X rejects start_time with since_id).
  const startTime = pending?.startTime ?? (sinceId ? undefined : new Date(ctx.clock().getTime() - ctx.backfillHours * 3600_000).toISOString());
  const base = { sinceId: pending ? pending.sinceId : sinceId, startTime: startTime ? new Date(startTime) : undefined };
  const polledAt = pending?.polledAt ?? ctx.clock().toISOString();
  let token = pending?.token;
  let newestId = pending?.newestId;
  const result: TimelineResult = { pages: 0, posts: 0, inserted: 0 };

  for (let page = 0; page < (ctx.maxPages ?? 50); page++) {
    const known = ctx.limits.get(endpoint);
    if (known && known.remaining <= 0 && known.resetAt.getTime() > ctx.clock().getTime()) throw new RateLimitWait(endpoint, known.resetAt);

    let res: XResponse<XPage>;
    try {
      res = await withRetry(() => call(ctx.x, timeline, t, { ...base, paginationToken: token }), {
        sleep: ctx.sleep,
        random: ctx.random,
        onRetry: (err, attempt, delayMs) => ctx.log.warn({ handle: t.handle, timeline, attempt, delayMs, err: err.message }, 'X call failed, retrying'),
      });
    } catch (err) {
      if (err instanceof XApiError && err.code === 'X_RATE_LIMITED') {
        const resetAt = err.resetAt ?? new Date(ctx.clock().getTime() + 60_000);
        const rl = { endpoint, limit: ctx.limits.get(endpoint)?.limit ?? 0, remaining: 0, resetAt };
        ctx.limits.set(endpoint, rl);
        await saveRateLimit(ctx.db, rl);
        throw new RateLimitWait(endpoint, resetAt);
      }
      throw err;
    }
    if (res.rateLimit) {
      ctx.limits.set(endpoint, res.rateLimit);
      await saveRateLimit(ctx.db, res.rateLimit);
    }

    const body = res.body ?? {};
    newestId ??= body.meta?.newest_id;
    const records = mapXPage(body, t.userId);
    const links: TweetLink[] = records.map((r) => ({ handleId: t.handleId, tweetId: r.tweet.id, role: r.tweet.isBrand ? 'brand' : 'customer', createdAt: r.tweet.createdAt }));
    const next = body.meta?.next_token;
    const cursors = next
      ? [{ handleId: t.handleId, timeline: pendingKey, position: JSON.stringify({ token: next, newestId, sinceId: base.sinceId, startTime, polledAt } satisfies Pending) }]
      : [
          ...(newestId ? [{ handleId: t.handleId, timeline, position: newestId }] : []),
          // Everything the timeline held when this pagination began is stored now: the analyzer may order up to here.
          { handleId: t.handleId, timeline: throughCursor(timeline), position: polledAt },
          ...(pending || page > 0 ? [{ handleId: t.handleId, timeline: pendingKey, position: null }] : []),
        ];
    const out = await ingestBatch(ctx.db, {
      source: 'x',
      records,
      links,
      problems: body.errors?.length ? [{ handleId: t.handleId, problems: body.errors }] : [],
      cursors,
      reads: { at: ctx.clock(), posts: records.length, requests: 1 },
    });
    result.pages++;
    result.posts += records.length;
    result.inserted += out.inserted;
    result.monthReads = out.monthReads;
    if (body.errors?.length) ctx.log.info({ handle: t.handle, timeline, errors: body.errors.length }, 'partial errors recorded');
    if (!next) return result;
    token = next;
  }
  ctx.log.warn({ handle: t.handle, timeline, pages: result.pages }, 'page limit reached; the rest follows on the next poll');
  return result;
}
