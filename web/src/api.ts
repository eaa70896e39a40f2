// Owns every call the dashboard makes to the /v1 API and the mapping of its JSON into the shapes the views use.
// Field names live here only, so a change in the API is a change in this file.
import { formatDuration } from './format.ts';

const TOKEN_KEY = 'replywatch.token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An API failure with what the user should do about it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function hintFor(status: number, path: string): string {
  if (status === 0) return 'Cannot reach the replywatch API. Check that the service is running (`npm start`) and reload the page.';
  if (status === 401) return 'Your token was refused: create one with `replywatch token create --scope read` and sign in again.';
  if (status === 403) return 'This token may read but not change alerts: create one with `replywatch token create --scope write`.';
  if (status === 404 && !/\/\d+|\/handles\/[^/]+/.test(path)) return 'This server does not offer this data yet (the endpoint is not available).';
  if (status === 404) return 'Not found, or not visible to your team. Check the link.';
  if (status === 429) return 'Too many requests: the page will try again shortly.';
  if (status >= 500) return 'The server failed; its log has the details. The page will try again.';
  return 'The request was rejected; reload the page and try again.';
}

/** Thrown to every view when the token is refused, so the shell can send the user back to sign-in. */
export const unauthorized = new EventTarget();

async function request<T>(method: string, path: string, params?: Record<string, string | number | undefined>): Promise<T> {
  const token = tokenStore.get();
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network error', hintFor(0, path));
  }
  const body: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const e = new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText, hintFor(res.status, path));
    if (res.status === 401) unauthorized.dispatchEvent(new CustomEvent('unauthorized', { detail: e }));
    throw e;
  }
  return body as T;
}

type Raw = Record<string, any>;

// Tweet texts arrive HTML-escaped as X stores them ("&gt;", "&amp;"); the page renders text, never HTML.
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decodeEntities = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]!);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const handleOf = (r: Raw): string | null => str(r.handle ?? r.handle_name ?? r.handle?.handle);
const teamOf = (r: Raw): string | null => str(r.team ?? r.team_name ?? r.team?.name);

export interface Alert {
  id: string;
  kind: string;
  severity: string;
  state: string;
  handle: string | null;
  team: string | null;
  caseId: string | null;
  title: string;
  reasons: string[];
  raisedAt: string;
  dueAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
}

function toAlert(r: Raw): Alert {
  return {
    id: String(r.id),
    kind: String(r.kind),
    severity: String(r.severity),
    state: String(r.state),
    handle: handleOf(r),
    team: teamOf(r),
    caseId: str(r.case_id),
    title: String(r.title ?? r.kind),
    reasons: list(r.reasons),
    raisedAt: String(r.raised_at ?? r.created_at),
    dueAt: str(r.due_at),
    acknowledgedAt: str(r.acknowledged_at),
    acknowledgedBy: str(r.acknowledged_by),
    resolvedAt: str(r.resolved_at),
  };
}

export interface AlertFilter {
  handle?: string;
  severity?: string;
  state?: string;
}

/** The newest `limit` alerts; `more` says older ones exist beyond them. */
export async function listAlerts(filter: AlertFilter = {}, limit = 100): Promise<{ alerts: Alert[]; more: boolean }> {
  const res = await request<{ data: Raw[]; next_cursor?: string | null }>('GET', '/v1/alerts', { ...filter, limit });
  return { alerts: res.data.map(toAlert), more: !!res.next_cursor };
}

// POSTs carry no body: the note is optional, and an empty body needs no Content-Type.
export async function ackAlert(id: string): Promise<void> {
  await request('POST', `/v1/alerts/${encodeURIComponent(id)}/ack`);
}

export async function resolveAlert(id: string): Promise<void> {
  await request('POST', `/v1/alerts/${encodeURIComponent(id)}/resolve`);
}

export interface CaseSummary {
  id: string;
  handle: string | null;
  team: string | null;
  customer: string;
  openedAt: string;
  state: string;
  awaitingSince: string | null;
  /** When the current wait breaches its target, if the case is waiting. */
  dueAt: string | null;
  customerTweets: number;
  brandReplies: number;
  nudges: number;
  flags: string[];
  firstResponseSeconds: number | null;
}

function toCase(r: Raw): CaseSummary {
  return {
    id: String(r.id),
    handle: handleOf(r),
    team: teamOf(r),
    customer: String(r.customer_username ? '@' + r.customer_username : r.customer_id),
    openedAt: String(r.opened_at),
    state: String(r.state),
    awaitingSince: str(r.awaiting_since),
    dueAt: str(r.due_at ?? r.breach_at ?? r.deadline),
    customerTweets: num(r.customer_tweets) ?? 0,
    brandReplies: num(r.brand_replies) ?? 0,
    nudges: num(r.nudges) ?? 0,
    flags: list(r.flags),
    firstResponseSeconds: num(r.first_response_seconds),
  };
}

/** Waiting cases, least time left first; `more` says there are more than `limit`. */
export async function listWaitingCases(limit = 50): Promise<{ cases: CaseSummary[]; more: boolean }> {
  const res = await request<{ data: Raw[]; next_cursor?: string | null }>('GET', '/v1/cases', { state: 'open', sort: 'due', limit });
  return { cases: res.data.map(toCase).filter((c) => c.awaitingSince !== null || c.dueAt !== null), more: !!res.next_cursor };
}

export interface TimelineEntry {
  tweetId: string;
  role: 'customer' | 'brand';
  author: string;
  text: string;
  createdAt: string;
  kind: string | null;
  flags: string[];
  reasons: string[];
  waitSeconds: number | null;
}

export interface CaseBreach {
  metric: string;
  targetSeconds: number;
  dueAt: string;
  answeredAt: string | null;
  overBySeconds: number | null;
}

export interface CaseDetail extends CaseSummary {
  timeline: TimelineEntry[];
  breaches: CaseBreach[];
  alerts: Alert[];
}

export async function getCase(id: string): Promise<CaseDetail> {
  const res = await request<Raw>('GET', `/v1/cases/${encodeURIComponent(id)}`);
  const r: Raw = res.data ?? res;
  const c: Raw = r.case ?? r;
  const timeline: Raw[] = r.timeline ?? c.timeline ?? [];
  return {
    ...toCase(c),
    timeline: timeline.map((t) => ({
      tweetId: String(t.tweet_id ?? t.id),
      role: t.role === 'brand' ? 'brand' : 'customer',
      author: String(t.author_username ? '@' + t.author_username : (t.author ?? t.author_id ?? '')),
      text: decodeEntities(String(t.text ?? '')),
      createdAt: String(t.created_at),
      kind: str(t.kind ?? t.classification?.kind),
      flags: list(t.flags ?? t.classification?.flags),
      reasons: list(t.reasons ?? t.classification?.reasons),
      waitSeconds: num(t.wait_seconds ?? t.waited_seconds ?? t.response_seconds),
    })),
    alerts: ((r.alerts ?? []) as Raw[]).map(toAlert),
    breaches: ((r.breaches ?? c.breaches ?? []) as Raw[]).map((b) => ({
      metric: String(b.metric),
      targetSeconds: num(b.target_seconds) ?? 0,
      dueAt: String(b.due_at),
      answeredAt: str(b.answered_at),
      overBySeconds: num(b.over_by_seconds),
    })),
  };
}

export interface Handle {
  handle: string;
  team: string | null;
  health: string;
  healthDetail: string | null;
  lastPolledAt: string | null;
  openCases: number | null;
  waiting: number | null;
}

export async function listHandles(): Promise<Handle[]> {
  const res = await request<{ data: Raw[] }>('GET', '/v1/handles');
  return res.data.map((r) => ({
    handle: String(r.handle),
    team: teamOf(r),
    health: String(r.health ?? 'unknown'),
    healthDetail: str(r.health_detail),
    lastPolledAt: str(r.last_polled_at),
    openCases: num(r.open_cases),
    waiting: num(r.waiting),
  }));
}

/** One criterion of the review: a 0..100 score plus the figures behind it. */
export interface Criterion {
  score: number | null;
  figures: Array<{ label: string; value: string }>;
}

export interface Scorecard {
  handle: string;
  /** A–F from the server (src/domain/grade.ts); null with no cases. */
  grade: string | null;
  overall: number | null;
  /** Why the handle got its grade: one line per criterion, then the sum. */
  reasons: string[];
  cases: number | null;
  clarity: Criterion;
  speed: Criterion;
  personality: Criterion;
}

const pct = (v: unknown) => (num(v) === null ? '—' : `${Math.round(num(v)! * 100)}%`);
const dur = (v: unknown) => (num(v) === null ? '—' : formatDuration(num(v)!));
const figures = (r: Raw, fields: Array<[string, string, (v: unknown) => string]>) => fields.filter(([key]) => r[key] !== undefined).map(([key, label, fmt]) => ({ label, value: fmt(r[key]) }));

/** The scorecard of one handle over the last `days` days, with the grade the server computed. */
export async function getScorecard(handle: string, days: number): Promise<Scorecard> {
  const from = new Date(Date.now() - days * 86_400_000).toISOString();
  const r = await request<Raw>('GET', `/v1/handles/${encodeURIComponent(handle)}/scorecard`, { from });
  const speed: Raw = r.speed ?? {};
  const clarity: Raw = r.clarity ?? {};
  const personality: Raw = r.personality ?? {};
  const score: Raw = r.score ?? {};
  const due = num(speed.due);
  return {
    handle,
    cases: num(r.cases),
    grade: str(r.grade),
    overall: num(score.overall),
    reasons: list(r.grade_reasons),
    clarity: {
      score: num(score.clarity),
      figures: figures(clarity, [['reply_rate', 'replied', pct], ['resolved_case_rate', 'resolved', pct], ['deflection_rate', 'deflected', pct]]),
    },
    speed: {
      score: num(score.speed),
      figures: [
        ...figures(speed, [['median_first_response_seconds', 'median first reply', dur], ['p90_first_response_seconds', 'p90 first reply', dur]]),
        ...(due ? [{ label: `within ${dur(speed.target_seconds)}`, value: `${num(speed.due_within_target) ?? 0} of ${due}` }] : []),
      ],
    },
    personality: {
      score: num(score.personality),
      figures: figures(personality, [['signed_share', 'signed', pct], ['uses_name_share', 'uses name', pct], ['empathy_share', 'empathy', pct], ['canned_share', 'canned', pct]]),
    },
  };
}

export type Clock = 'business' | 'wall';

export interface LatencyFigures {
  cases: number;
  answered: number;
  median: number | null;
  p90: number | null;
  withinTarget: number | null;
}

export interface LatencySeries {
  /** The clock the figures are on (the one asked for, else the policy's). */
  clock: Clock;
  /** The clock the policy measures its target on; null when the handles disagree. */
  policyClock: Clock | null;
  targetSeconds: number | null;
  /** The period the server summarised (unix seconds), so the chart spans it even with one bucket. */
  from: number | null;
  to: number | null;
  /** The whole period at once. */
  summary: LatencyFigures;
  points: Array<{ t: number; median: number | null; p90: number | null; count: number }>;
}

const clockOf = (v: unknown): Clock | null => (v === 'business' || v === 'wall' ? v : null);
const latencyFigures = (r: Raw): LatencyFigures => ({ cases: num(r.cases) ?? 0, answered: num(r.answered) ?? 0, median: num(r.median_seconds), p90: num(r.p90_seconds), withinTarget: num(r.within_target_share) });

/** Latency over the last `hours`: hourly buckets up to two days, daily beyond; `clock` undefined = the policy's own. */
export async function getLatency(handle: string, hours: number, clock?: Clock): Promise<LatencySeries> {
  const from = new Date(Date.now() - hours * 3600_000).toISOString();
  const res = await request<Raw>('GET', '/v1/stats/latency', { handle, from, bucket: hours <= 48 ? 'hour' : 'day', clock });
  const rows: Raw[] = res.data ?? [];
  return {
    clock: clockOf(res.clock) ?? 'wall',
    policyClock: clockOf(res.policy_clock),
    targetSeconds: num(res.target_seconds),
    from: res.from ? Date.parse(String(res.from)) / 1000 : null,
    to: res.to ? Date.parse(String(res.to)) / 1000 : null,
    summary: latencyFigures(res.summary ?? {}),
    points: rows.map((p) => ({
      t: Date.parse(String(p.start ?? p.bucket)) / 1000,
      median: num(p.median_seconds),
      p90: num(p.p90_seconds),
      count: num(p.cases) ?? 0,
    })),
  };
}

export interface Breach {
  handle: string | null;
  team: string | null;
  metric: string;
  dueAt: string;
}

/** Breaches in a time range, following cursors up to `maxPages` pages. */
export async function listBreaches(from: string, maxPages = 10): Promise<{ breaches: Breach[]; truncated: boolean }> {
  const out: Breach[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await request<{ data: Raw[]; next_cursor: string | null }>('GET', '/v1/breaches', { from, limit: 500, cursor });
    for (const r of res.data) out.push({ handle: handleOf(r), team: teamOf(r), metric: String(r.metric), dueAt: String(r.due_at ?? r.started_at) });
    if (!res.next_cursor) return { breaches: out, truncated: false };
    cursor = res.next_cursor;
  }
  return { breaches: out, truncated: true };
}
