// Owns the `analyze_handle` job: reads a handle's new tweets in batches, threads them with the analysis core, and commits case updates, classifications, SLA timers and alerts with the cursor.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import type pg from 'pg';
import { clientTransaction, type Db } from '../src/db/connect.ts';
import {
  addActivity,
  caseRowFromState,
  firstQueuedAt,
  latestCases,
  lockHandleForAnalysis,
  markAnalyzed,
  parentTweets,
  readQueue,
  touchLastBrandTweet,
  upsertCases,
  upsertClassifications,
  watchedHandles,
  type ClassificationRow,
  type QueuedTweet,
  type QueueLimit,
} from '../src/db/case.repository.ts';
import { loadHandleContext, type HandleContext } from '../src/db/sla-context.repository.ts';
import { addJob } from '../src/db/jobs.ts';
import { cursorTimes, throughCursor } from '../src/db/cursor.repository.ts';
import { appliedReplies, latestSentReplies, setAppliedReplies } from '../src/db/sent-replies.repository.ts';
import type { Timeline } from '../src/ingest/poll-timeline.ts';
import { compareTweets, stepTweet, type HandleSetup } from '../src/domain/analysis.ts';
import { compileCalendar } from '../src/domain/calendar.ts';
import { caseFlags } from '../src/domain/case-summary.ts';
import { currentWait, type CaseEvent, type CaseState } from '../src/domain/cases.ts';
import { CannedDetector } from '../src/domain/classify/index.ts';
import { ALWAYS_OPEN, calendarClock, measureWait, type WorkClock } from '../src/domain/deadlines.ts';
import { effectivePolicy } from '../src/domain/policy.ts';
import { routeTweet, watchList, type ParentInfo, type Route } from '../src/domain/routing.ts';
import type { Tweet } from '../src/domain/types.ts';
import { applyCaseEffects, type TouchedCase } from './case-effects.ts';
import type { DigestSettings } from '../src/alerts/digest-window.ts';
import { DETECT_SURGE } from './detect-surge.ts';

export const ANALYZE_HANDLE = 'analyze_handle';

export interface AnalyzeOptions {
  now: () => Date;
  batchSize?: number;
  /** Batches per job run; when more remain the job queues itself again so other handles get a turn. */
  maxBatches?: number;
  /** Near-duplicate reply memory, per process; each batch first brings it up to date with the stored replies (see recallReplies). */
  canned: CannedDetector;
  /** Set when tweets come from polling X: hold them until every timeline of the handle has been read past them. */
  hold?: HoldOptions;
  /** The notifier's digest settings, for the alerts a batch raises (see RaiseOptions.digest). */
  digest?: DigestSettings;
}

export interface HoldOptions {
  /** The timelines a handle is polled on ('mentions' and 'tweets', or 'search'). */
  timelines: Timeline[];
  /** Tweets may turn up in a timeline this long after they were posted. */
  settleMs: number;
  /** A tweet queued this long is analyzed even if a timeline has not been read past it (an outage, a stopped timeline). */
  maxHoldMs: number;
}

export interface AnalyzeResult {
  tweets: number;
  batches: number;
  more: boolean;
  /** When tweets are held behind the watermark: when the longest-waiting of them is applied without waiting for a poll. */
  heldUntil?: Date;
}

export function holdOptions(x: { bearerToken?: string; mode: 'timelines' | 'search'; settleSeconds: number; maxHoldSeconds: number }): HoldOptions | undefined {
  if (!x.bearerToken) return undefined;
  return { timelines: x.mode === 'search' ? ['search'] : ['mentions', 'tweets'], settleMs: x.settleSeconds * 1000, maxHoldMs: x.maxHoldSeconds * 1000 };
}

/**
 * What is ready: tweets up to the handle's watermark (every timeline read completely up to then, so no older tweet can
 * still arrive and they can be applied in time order), and tweets queued longer than the longest hold. Without holding
 * (replay, direct loads) everything is ready.
 */
async function readyLimit(db: Db, handleId: number, hold: HoldOptions | undefined, now: Date): Promise<QueueLimit | null> {
  if (!hold) return null;
  const times = await cursorTimes(db, handleId, hold.timelines.map(throughCursor));
  const polled = Math.min(...hold.timelines.map((t) => times.get(throughCursor(t))?.getTime() ?? -Infinity));
  // Before every timeline was read once, nothing is ready by the watermark (the epoch stands for "never").
  return { through: new Date(polled === -Infinity ? 0 : polled - hold.settleMs), queuedBefore: new Date(now.getTime() - hold.maxHoldMs) };
}

function toTweet(r: QueuedTweet): Tweet {
  return {
    id: r.id,
    authorId: r.author_id,
    authorUsername: r.author_username ?? undefined,
    authorName: r.author_name ?? undefined,
    text: r.text,
    createdAt: new Date(r.created_ms),
    inReplyToTweetId: r.in_reply_to_tweet_id ?? undefined,
    inReplyToUserId: r.in_reply_to_user_id ?? undefined,
    conversationId: r.conversation_id ?? undefined,
    mentions: r.mentions ?? [],
    isBrand: r.role === 'brand',
  };
}

/** Processes queued tweets of one handle until the queue is empty or `maxBatches` ran. */
export async function analyzeHandle(db: Db, handleId: number, opts: AnalyzeOptions): Promise<AnalyzeResult> {
  let tweets = 0;
  let batches = 0;
  const max = opts.maxBatches ?? 20;
  while (batches < max) {
    const n = await runBatch(db, handleId, opts);
    if (n === 0) break;
    tweets += n;
    batches++;
    if (n < (opts.batchSize ?? 5000)) break;
    if (batches === max) return { tweets, batches, more: true };
  }
  if (!opts.hold) return { tweets, batches, more: false };
  const queuedAt = await firstQueuedAt(db, handleId);
  // +1 ms: the database keeps microseconds, a Date does not.
  return { tweets, batches, more: false, heldUntil: queuedAt ? new Date(Math.max(queuedAt.getTime() + opts.hold.maxHoldMs + 1, opts.now().getTime() + 1000)) : undefined };
}

/** One batch in one transaction: a crash anywhere rolls back everything, the queue flags included, so the batch is simply redone. */
async function runBatch(db: Db, handleId: number, opts: AnalyzeOptions): Promise<number> {
  let committed: { handle: string; replies: number } | undefined;
  const n = await clientTransaction(db, async (trx, client) => {
    // Serialises analyzers of one handle across processes; graphile's job key alone does not (a re-added key runs beside a locked job).
    await lockHandleForAnalysis(trx, handleId);
    const now = opts.now();
    const rows = await readQueue(trx, handleId, await readyLimit(trx, handleId, opts.hold, now), opts.batchSize ?? 5000);
    if (!rows.length) return 0;
    const ctx = await loadHandleContext(trx, handleId);
    if (!ctx) throw new Error(`handle ${handleId} vanished while its tweets were being analyzed`);
    const before = await recallReplies(trx, ctx, opts.canned);
    const replies = await applyBatch(trx, client, ctx, rows, now, opts.canned, opts.digest);
    if (replies) await setAppliedReplies(trx, handleId, before + replies);
    await markAnalyzed(trx, handleId, rows.map((r) => r.id));
    committed = { handle: ctx.handle, replies: before + replies };
    return rows.length;
  });
  // Only now does the memory match what is stored: a rolled-back batch leaves replies in it that were never stored.
  if (committed) opts.canned.setVersion(committed.handle, String(committed.replies));
  return n;
}

/**
 * Brings the process's canned-reply memory of the handle up to date before a batch adds to it, and returns the
 * handle's applied-replies count. The memory is current when this process committed the handle's last batch with
 * replies (its version is that count); after a restart, a batch another process ran or a rolled-back batch it is
 * rebuilt from the latest replies the detector can keep. Runs under the handle's analyzer lock, so no other batch
 * commits in between.
 */
async function recallReplies(trx: Db, ctx: HandleContext, canned: CannedDetector): Promise<number> {
  const applied = await appliedReplies(trx, ctx.handleId);
  if (canned.version(ctx.handle) !== String(applied)) {
    const latest = await latestSentReplies(trx, ctx.handleId, canned.capacity);
    canned.seed(ctx.handle, latest.map((r) => ({ customerId: r.customer_id, text: r.text })));
  }
  // Not current again until the batch commits (runBatch sets the version then).
  canned.setVersion(ctx.handle, undefined);
  return applied;
}

/** Applies the batch's tweets and writes what follows from them; returns how many replies it showed the canned detector. */
async function applyBatch(trx: Db, client: pg.PoolClient, ctx: HandleContext, rows: QueuedTweet[], now: Date, canned: CannedDetector, digest: DigestSettings | undefined): Promise<number> {
  const handles = await watchedHandles(trx);
  const watched = watchList(
    handles.map((h) => h.handle),
    Object.fromEntries(handles.filter((h) => h.x_user_id).map((h) => [h.x_user_id!, h.handle])),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const tweets = rows.map(toTweet).sort(compareTweets);
  const calendar = compileCalendar(ctx.calendar ?? ALWAYS_OPEN);
  const clock = calendarClock(calendar);
  const handleLower = ctx.handle.toLowerCase();

  // Parents from earlier batches: who wrote them and, for this handle, which customer they belonged to.
  const parentIds = [...new Set(tweets.filter((t) => t.isBrand && t.inReplyToTweetId && !byId.has(t.inReplyToTweetId)).map((t) => t.inReplyToTweetId!))];
  const parents = new Map<string, ParentInfo>();
  for (const p of await parentTweets(trx, ctx.handleId, parentIds)) {
    const isBrand = watched(p.author_username ?? p.author_id) !== undefined || watched(p.author_id) !== undefined;
    parents.set(p.id, { authorId: p.author_id, isBrand, handles: [], customerId: isBrand ? (p.customer_id ?? undefined) : p.author_id });
  }

  // Latest case per customer, loaded once for the customers this batch can reach.
  const guess = new Set<string>();
  for (const t of tweets) {
    if (!t.isBrand) guess.add(t.authorId);
    else {
      const p = parents.get(t.inReplyToTweetId ?? '');
      if (p?.customerId) guess.add(p.customerId);
      else if (t.inReplyToTweetId && byId.has(t.inReplyToTweetId) && byId.get(t.inReplyToTweetId)!.role === 'customer') guess.add(byId.get(t.inReplyToTweetId)!.author_id);
    }
  }
  const latest = new Map<string, CaseState>();
  // The cases read from the database: the only ones of the batch that may be stored already.
  const storedKeys = new Set<string>();
  const usernames = new Map<string, string | null>();
  const loadCases = async (customers: string[]) => {
    for (const c of await latestCases(trx, ctx.handleId, customers)) {
      const state = c.summary as unknown as CaseState;
      latest.set(c.customer_id, state);
      storedKeys.add(state.caseId);
      usernames.set(c.customer_id, c.customer_username);
    }
  };
  await loadCases([...guess]);
  const loaded = new Set(guess);

  const touched = new Map<string, TouchedCase>();
  const classifications: (ClassificationRow & { caseKey: string | null })[] = [];
  const events: CaseEvent[] = [];
  const setups = new Map<string, HandleSetup & { tier: string; policyReasons: string[] }>();
  const setupFor = (customerId: string, username: string | undefined, followers: number | null) => {
    let s = setups.get(customerId);
    if (!s) {
      const eff = effectivePolicy(ctx.scope, { id: customerId, username, followers: followers ?? undefined });
      s = { handle: ctx.handle, policy: eff.policy, calendar, tier: eff.tier, policyReasons: eff.reasons };
      setups.set(customerId, s);
    }
    return s;
  };
  const buckets = new Map<number, { bucket: Date; customer: number; brand: number; opened: number }>();
  let lastBrand: Date | undefined;
  let replies = 0;

  for (const tweet of tweets) {
    const row = byId.get(tweet.id)!;
    const b = Math.floor(tweet.createdAt.getTime() / 60_000) * 60_000;
    const bucket = buckets.get(b) ?? { bucket: new Date(b), customer: 0, brand: 0, opened: 0 };
    buckets.set(b, bucket);
    if (tweet.isBrand) {
      bucket.brand++;
      if (!lastBrand || tweet.createdAt > lastBrand) lastBrand = tweet.createdAt;
    } else bucket.customer++;

    let route: Route | undefined;
    if (tweet.isBrand) {
      const parent = tweet.inReplyToTweetId ? parents.get(tweet.inReplyToTweetId) : undefined;
      route = routeTweet(tweet, { watched, parent }).find((r) => r.handle.toLowerCase() === handleLower);
      parents.set(tweet.id, { authorId: tweet.authorId, isBrand: true, handles: [], customerId: route?.customerId ?? parent?.customerId });
      if (!route) {
        // A broadcast, or a reply to nobody we can name: no case, but remember whom its thread belonged to for replies to it.
        const customerId = parent?.customerId ?? null;
        if (customerId) classifications.push({ caseKey: null, tweet_id: tweet.id, handle_id: ctx.handleId, case_id: null, customer_id: customerId, role: 'brand', kind: null, complaint_score: 0, flags: [], reasons: [] });
        continue;
      }
      route = { ...route, handle: ctx.handle };
    } else {
      route = { handle: ctx.handle, customerId: tweet.authorId, role: 'customer' };
      parents.set(tweet.id, { authorId: tweet.authorId, isBrand: false, handles: [ctx.handle] });
      if (tweet.authorUsername) usernames.set(tweet.authorId, tweet.authorUsername);
    }
    if (!loaded.has(route.customerId)) {
      await loadCases([route.customerId]);
      loaded.add(route.customerId);
    }
    const prev = latest.get(route.customerId);
    const setup = setupFor(route.customerId, usernames.get(route.customerId) ?? undefined, tweet.isBrand ? null : row.followers);
    const res = stepTweet(prev, tweet, route, setup, canned);
    if (route.role === 'brand') replies++;
    events.push(...res.events);
    if (res.closed) touched.set(res.closed.caseId, { state: res.closed, setup, tier: setup.tier });
    if (res.state) {
      latest.set(route.customerId, res.state);
      touched.set(res.state.caseId, { state: res.state, setup, tier: setup.tier });
    }
    if (res.events.some((e) => e.type === 'case_opened')) bucket.opened++;
    classifications.push({
      caseKey: res.state?.caseId ?? null,
      tweet_id: tweet.id,
      handle_id: ctx.handleId,
      case_id: null,
      customer_id: route.customerId,
      role: route.role,
      kind: res.reply?.kind ?? null,
      complaint_score: res.customer?.complaintScore ?? 0,
      flags: res.customer?.flags ?? res.reply?.personality ?? [],
      reasons: res.customer?.reasons ?? res.reply?.reasons ?? [],
    });
  }

  const caseRows = [...touched.values()].map((t) =>
    caseRowFromState(ctx.handleId, t.state, { teamId: ctx.teamId, policyName: t.setup.policy.name, tier: t.tier, flags: caseFlags(t.state, t.setup, now.getTime()), nextDueAt: null }, usernames.get(t.state.customerId) ?? null),
  );
  // The due time of the current wait goes on the row too, for "breaching within the hour" queries.
  for (const r of caseRows) {
    const t = touched.get(r.case_key)!;
    r.next_due_at = nextDue(t, clock);
  }
  const ids = await upsertCases(trx, client, caseRows, now, (key) => storedKeys.has(key));
  for (const c of classifications) c.case_id = c.caseKey ? (ids.get(c.caseKey) ?? null) : null;
  await upsertClassifications(trx, client, classifications, now);
  await addActivity(trx, ctx.handleId, [...buckets.values()]);
  if (lastBrand) await touchLastBrandTweet(trx, ctx.handleId, lastBrand);
  await applyCaseEffects(trx, ctx, { client, touched, ids, events, clock, now, digest });
  if (tweets.some((t) => !t.isBrand)) {
    await addJob(trx, DETECT_SURGE, { handleId: ctx.handleId }, { jobKey: `${DETECT_SURGE}:${ctx.handleId}`, jobKeyMode: 'preserve_run_at' });
  }
  return replies;
}

function nextDue(t: TouchedCase, clock: WorkClock): Date | null {
  const wait = currentWait(t.state);
  return wait ? measureWait(t.setup.policy, wait, clock).dueAt : null;
}

export function analyzeHandleTask(deps: Deps): Task {
  // One memory of near-duplicate replies per process, shared by its analyzer jobs.
  const canned = new CannedDetector();
  const hold = deps.config ? holdOptions(deps.config.x) : undefined;
  return async (payload, helpers) => {
    const handleId = Number((payload as { handleId?: unknown }).handleId);
    if (!Number.isInteger(handleId)) throw new Error(`analyze_handle: payload needs a numeric handleId, got ${JSON.stringify(payload)}`);
    const started = performance.now();
    const res = await analyzeHandle(deps.db, handleId, { now: deps.clock, canned, hold, digest: deps.config?.delivery });
    if (res.more) await addJob(deps.db, ANALYZE_HANDLE, { handleId }, { jobKey: `${ANALYZE_HANDLE}:${handleId}`, jobKeyMode: 'preserve_run_at' });
    // Held tweets are released by the next finished poll (ingest wakes the job above). The timed run covers an X
    // outage; it has a key of its own, because a wake-up must not be pushed back to the end of the hold.
    if (res.heldUntil) await addJob(deps.db, ANALYZE_HANDLE, { handleId }, { jobKey: `${ANALYZE_HANDLE}:${handleId}:held`, jobKeyMode: 'replace', runAt: res.heldUntil });
    if (res.tweets) helpers.logger.info(`analyzed ${res.tweets} tweets of handle ${handleId} in ${Math.round(performance.now() - started)} ms`);
  };
}
