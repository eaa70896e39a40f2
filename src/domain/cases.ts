// Owns threading tweets into cases and measuring response times, as an incremental state machine over plain JSON state.
import { businessSeconds, isOpen, type CompiledCalendar } from './calendar.ts';
import type { Route } from './routing.ts';
import { DEFLECTING_KINDS, type CustomerClassification, type CustomerFlag, type PersonalityFlag, type Policy, type ReplyClassification, type ReplyKind, type Tweet } from './types.ts';

/** One brand reply inside a case. */
export interface CaseReply {
  tweetId: string;
  /** Epoch ms. */
  at: number;
  kind: ReplyKind;
  reasons: string[];
  personality: PersonalityFlag[];
  automated: boolean;
  deflected: boolean;
  /** True when this reply ended a customer wait (it produced a first or next response time). */
  answered: boolean;
}

/**
 * One customer's conversation with one handle. Plain JSON (times are epoch ms) so a worker can keep it in
 * `cases.summary` and resume with `applyTweet` exactly where `replywatch analyze` would be.
 */
export interface CaseState {
  v: 1;
  caseId: string;
  handle: string;
  customerId: string;
  openingTweetId: string;
  openedAt: number;
  openedInHours: boolean;
  state: 'open' | 'closed';
  closedAt: number | null;
  closeReason: 'quiet' | 'thanks' | null;
  lastActivityAt: number;
  lastCustomerAt: number;
  lastBrandAt: number | null;
  /** Start of the customer's current wait (their first unanswered tweet), or null when nobody waits. */
  awaitingSince: number | null;
  /** 0 while waiting for the first response, n for the n-th next response. */
  waitSeq: number;
  /** Customer tweets since the last brand reply (for nudge detection). */
  unansweredCount: number;
  firstResponseSeconds: number | null;
  firstResponseBusinessSeconds: number | null;
  nextResponseSeconds: number[];
  nextResponseBusinessSeconds: number[];
  customerTweets: number;
  brandReplies: number;
  automatedReplies: number;
  nudges: number;
  /** Tweets that arrived older than the case's latest activity (incremental path only; see applyTweet). */
  lateTweets: number;
  customerFlags: CustomerFlag[];
  complaintScore: number;
  customerTweetIds: string[];
  replies: CaseReply[];
}

export type CaseEvent =
  | { type: 'case_opened'; caseId: string; at: number }
  | { type: 'awaiting_started'; caseId: string; metric: 'first_response' | 'next_response'; seq: number; startedAt: number; complaint: boolean }
  | { type: 'responded'; caseId: string; metric: 'first_response' | 'next_response'; seq: number; at: number; seconds: number; businessSeconds: number }
  | { type: 'case_closed'; caseId: string; at: number; reason: 'quiet' | 'thanks' }
  | { type: 'orphan_reply'; handle: string; customerId: string; tweetId: string };

export interface ApplyContext {
  route: Route;
  policy: Policy;
  calendar: CompiledCalendar;
  /** Classification of the tweet (reply for brand tweets, customer for customer tweets), computed by the caller. */
  reply?: ReplyClassification;
  customer?: CustomerClassification;
}

export interface ApplyResult {
  /** The case the tweet joined (updated in place), or undefined for an orphan brand reply. */
  state: CaseState | undefined;
  /** The previous case, when this tweet found it quiet for longer than the policy allows and closed it. */
  closed?: CaseState;
  events: CaseEvent[];
}

const automatedCache = new WeakMap<Policy, RegExp[]>();
function automatedPatterns(policy: Policy): RegExp[] {
  let res = automatedCache.get(policy);
  if (!res) automatedCache.set(policy, (res = policy.automatedPatterns.map((p) => new RegExp(p, 'i'))));
  return res;
}

/** A customer's bare acknowledgement after a reply: it neither closes the case nor starts a next-response clock. */
const BARE_ACK = /^(?:\s*@\w+)*\s*(?:ok(?:ay)?|k+|kk|cool|sure|got it|will do|noted|alright|done|fine|great|perfect|yes|yep|yeah|no worries|np|[\u{1F44C}\u{1F44D}\u{1F64F}\u{1F60A}\u{1F642}])[\s.!:)\u{1F44C}\u{1F44D}\u{1F64F}\u{1F60A}\u{1F642}]*$/iu;

export function isBareAck(text: string): boolean {
  return text.length < 60 && BARE_ACK.test(text);
}

export function isDeflecting(kind: ReplyKind, policy: Policy): boolean {
  return DEFLECTING_KINDS.includes(kind) || (kind === 'dm_request' && policy.dmCountsAsDeflection);
}

/** Case id: handle plus the id of the customer tweet that opened it (unique: one opener opens one case per handle). */
export function caseIdOf(handle: string, openingTweetId: string): string {
  return `${handle}:${openingTweetId}`;
}

function openCase(tweet: Tweet, ms: number, ctx: ApplyContext): CaseState {
  return {
    v: 1,
    caseId: caseIdOf(ctx.route.handle, tweet.id),
    handle: ctx.route.handle,
    customerId: ctx.route.customerId,
    openingTweetId: tweet.id,
    openedAt: ms,
    openedInHours: isOpen(ctx.calendar, ms),
    state: 'open',
    closedAt: null,
    closeReason: null,
    lastActivityAt: ms,
    lastCustomerAt: ms,
    lastBrandAt: null,
    awaitingSince: null,
    waitSeq: 0,
    unansweredCount: 0,
    firstResponseSeconds: null,
    firstResponseBusinessSeconds: null,
    nextResponseSeconds: [],
    nextResponseBusinessSeconds: [],
    customerTweets: 0,
    brandReplies: 0,
    automatedReplies: 0,
    nudges: 0,
    lateTweets: 0,
    customerFlags: [],
    complaintScore: 0,
    customerTweetIds: [],
    replies: [],
  };
}

/**
 * Closes an open case in which nobody waits and nothing happened for the policy's `quietCloseHours` as of `now` (epoch
 * ms). A customer still waiting for an answer keeps the case open however long it takes: that wait is what we measure.
 */
export function closeIfQuiet(state: CaseState, now: number, policy: Policy): CaseEvent | undefined {
  if (state.state !== 'open' || state.awaitingSince !== null) return undefined;
  const quietAt = state.lastActivityAt + policy.quietCloseHours * 3_600_000;
  if (now < quietAt) return undefined;
  state.state = 'closed';
  state.closedAt = quietAt;
  state.closeReason = 'quiet';
  return { type: 'case_closed', caseId: state.caseId, at: quietAt, reason: 'quiet' };
}

function applyCustomer(state: CaseState, tweet: Tweet, ms: number, ctx: ApplyContext, events: CaseEvent[]) {
  const c = ctx.customer;
  const late = ms < state.lastActivityAt;
  state.customerTweets++;
  state.customerTweetIds.push(tweet.id);
  if (late) state.lateTweets++;
  else {
    state.lastActivityAt = ms;
    state.lastCustomerAt = ms;
  }
  if (c) {
    for (const f of c.flags) if (!state.customerFlags.includes(f)) state.customerFlags.push(f);
    if (c.complaintScore > state.complaintScore) state.complaintScore = c.complaintScore;
    if (c.flags.includes('nudge')) state.nudges++;
  }
  // A late tweet is counted but never moves the clocks: they only run forward.
  if (late) return;
  state.unansweredCount++;
  if (state.awaitingSince !== null) return; // already waiting: the clock keeps its original start
  const complaint = state.customerFlags.includes('complaint');
  if (state.brandReplies === 0 && state.waitSeq === 0 && state.firstResponseSeconds === null) {
    state.awaitingSince = ms;
    events.push({ type: 'awaiting_started', caseId: state.caseId, metric: 'first_response', seq: 0, startedAt: ms, complaint });
    return;
  }
  // After a reply: "thanks" closes the case, a bare "ok" is noted, anything else starts the next-response clock.
  const flags = c?.flags ?? [];
  if (flags.includes('thanks') && !flags.includes('complaint') && !flags.includes('question') && state.replies.length > 0) {
    state.state = 'closed';
    state.closedAt = ms;
    state.closeReason = 'thanks';
    state.unansweredCount = 0;
    events.push({ type: 'case_closed', caseId: state.caseId, at: ms, reason: 'thanks' });
    return;
  }
  if (isBareAck(tweet.text) || (flags.includes('thanks') && !flags.includes('complaint') && !flags.includes('question'))) {
    state.unansweredCount = 0;
    return;
  }
  state.awaitingSince = ms;
  state.waitSeq = state.firstResponseSeconds === null ? 0 : state.nextResponseSeconds.length + 1;
  const metric = state.waitSeq === 0 ? 'first_response' : 'next_response';
  events.push({ type: 'awaiting_started', caseId: state.caseId, metric, seq: state.waitSeq, startedAt: ms, complaint });
}

function applyBrand(state: CaseState, tweet: Tweet, ms: number, ctx: ApplyContext, events: CaseEvent[]) {
  const r = ctx.reply ?? { kind: 'other' as const, personality: [], reasons: [] };
  const automated = automatedPatterns(ctx.policy).some((re) => re.test(tweet.text));
  const reply: CaseReply = { tweetId: tweet.id, at: ms, kind: r.kind, reasons: r.reasons, personality: r.personality, automated, deflected: isDeflecting(r.kind, ctx.policy), answered: false };
  state.replies.push(reply);
  state.brandReplies++;
  if (automated) state.automatedReplies++;
  if (ms < state.lastActivityAt) state.lateTweets++;
  else state.lastActivityAt = ms;
  if (state.lastBrandAt === null || ms > state.lastBrandAt) state.lastBrandAt = ms;
  const since = state.awaitingSince;
  // Automated replies do not stop the clock unless the policy counts them; replies older than the wait do not answer it.
  if (since === null || ms < since || (automated && !ctx.policy.countAutomatedReplies)) return;
  const seconds = (ms - since) / 1000;
  const business = businessSeconds(ctx.calendar, since, ms);
  reply.answered = true;
  state.awaitingSince = null;
  state.unansweredCount = 0;
  if (state.firstResponseSeconds === null) {
    state.firstResponseSeconds = seconds;
    state.firstResponseBusinessSeconds = business;
    events.push({ type: 'responded', caseId: state.caseId, metric: 'first_response', seq: 0, at: ms, seconds, businessSeconds: business });
  } else {
    state.nextResponseSeconds.push(seconds);
    state.nextResponseBusinessSeconds.push(business);
    events.push({ type: 'responded', caseId: state.caseId, metric: 'next_response', seq: state.nextResponseSeconds.length, at: ms, seconds, businessSeconds: business });
  }
}

/**
 * Applies one routed tweet to the latest case of its (handle, customer) pair, open or closed, or to none.
 *
 * - A customer tweet joins the open case, or opens a new one when there is none, it is closed, or it has been quiet
 *   for `quietCloseHours` (the old case is then closed and returned in `closed`).
 * - A brand tweet joins the latest case (also a recently thanks-closed one: "you're welcome" belongs there); with no case
 *   it is an `orphan_reply` and changes nothing.
 *
 * `state` is updated in place. Batch callers feed tweets sorted by (created_at, id). The incremental path takes tweets
 * in arrival order: a tweet older than the case's latest activity is recorded and counted (`lateTweets`) but moves no
 * clock and reopens nothing, so results equal the batch path whenever each case's tweets arrive in time order.
 */
export function applyTweet(state: CaseState | undefined, tweet: Tweet, ctx: ApplyContext): ApplyResult {
  const ms = tweet.createdAt.getTime();
  const events: CaseEvent[] = [];
  let closed: CaseState | undefined;
  if (state && state.state === 'open') {
    const ev = closeIfQuiet(state, ms, ctx.policy);
    if (ev) {
      events.push(ev);
      closed = state;
    }
  }
  if (ctx.route.role === 'brand') {
    if (!state || (state.state === 'closed' && ms >= (state.closedAt ?? 0) + (state.closeReason === 'quiet' ? 0 : ctx.policy.quietCloseHours * 3_600_000))) {
      events.push({ type: 'orphan_reply', handle: ctx.route.handle, customerId: ctx.route.customerId, tweetId: tweet.id });
      return { state: undefined, closed, events };
    }
    applyBrand(state, tweet, ms, ctx, events);
    return { state, closed, events };
  }
  if (!state || state.state === 'closed') {
    const fresh = openCase(tweet, ms, ctx);
    events.push({ type: 'case_opened', caseId: fresh.caseId, at: ms });
    applyCustomer(fresh, tweet, ms, ctx, events);
    return { state: fresh, closed, events };
  }
  applyCustomer(state, tweet, ms, ctx, events);
  return { state, closed, events };
}

/** The wait the customer is in now, shaped like deadlines.ts `Wait`, or null. */
export function currentWait(state: CaseState): { metric: 'first_response' | 'next_response'; seq: number; startedAt: Date; complaint: boolean } | null {
  if (state.state !== 'open' || state.awaitingSince === null) return null;
  return { metric: state.waitSeq === 0 ? 'first_response' : 'next_response', seq: state.waitSeq, startedAt: new Date(state.awaitingSince), complaint: state.customerFlags.includes('complaint') };
}
