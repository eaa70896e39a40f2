// Owns the outward view of a finished case: its flags (unanswered, deflected, sla_breach, ...) and the cases.jsonl record.
import { businessSeconds } from './calendar.ts';
import type { HandleSetup } from './analysis.ts';
import type { CaseState } from './cases.ts';

export const CASE_FLAGS = ['unanswered', 'deflected', 'sla_breach', 'resolved', 'nudged', 'complaint', 'churn_threat', 'escalation'] as const;
export type CaseFlag = (typeof CASE_FLAGS)[number];

/** Seconds of the wait on the policy's clock (business seconds on the calendar, or wall seconds). */
function onClock(setup: HandleSetup, wall: number | null, business: number | null): number | null {
  return setup.policy.clock === 'business' ? business : wall;
}

/**
 * Whether any wait of the case exceeded its target on the policy's clock; a wait still running at `asOf` counts when it is
 * already past its target.
 */
export function breachedSla(state: CaseState, setup: HandleSetup, asOf: number): boolean {
  const p = setup.policy;
  const first = onClock(setup, state.firstResponseSeconds, state.firstResponseBusinessSeconds);
  if (first !== null && first > p.firstResponseMinutes * 60) return true;
  const next = p.clock === 'business' ? state.nextResponseBusinessSeconds : state.nextResponseSeconds;
  if (next.some((s) => s > p.nextResponseMinutes * 60)) return true;
  if (state.state === 'open' && state.awaitingSince !== null) {
    const waited = p.clock === 'business' ? businessSeconds(setup.calendar, state.awaitingSince, asOf) : (asOf - state.awaitingSince) / 1000;
    const target = (state.waitSeq === 0 ? p.firstResponseMinutes : p.nextResponseMinutes) * 60;
    if (waited > target) return true;
  }
  return false;
}

export function caseFlags(state: CaseState, setup: HandleSetup, asOf: number): CaseFlag[] {
  const flags: CaseFlag[] = [];
  if (state.firstResponseSeconds === null) flags.push('unanswered');
  if (state.replies.some((r) => r.deflected)) flags.push('deflected');
  if (breachedSla(state, setup, asOf)) flags.push('sla_breach');
  if (state.closeReason === 'thanks' || state.replies.some((r) => r.kind === 'resolution')) flags.push('resolved');
  if (state.nudges > 0) flags.push('nudged');
  for (const f of ['complaint', 'churn_threat', 'escalation'] as const) if (state.customerFlags.includes(f)) flags.push(f);
  return flags;
}

const DAY_MS = 86_400_000;
/** Year 10000: from there toISOString writes six-digit years. */
const ISO_END = 253_402_300_800_000;
/** "YYYY-MM-DDT" by day number; a case's times span a few days, so one remembered day was not enough. */
const isoDays = new Map<number, string>();
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, with the date part built once per day: every case writes several times, and Date
 * formatting was a tenth of writing cases.jsonl. Times outside years 0-9999 or not whole milliseconds go to Date.
 */
function iso(ms: number | null): string | null {
  if (ms === null) return null;
  if (!(ms >= 0 && ms < ISO_END) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let isoDayText = isoDays.get(day);
  if (isoDayText === undefined) {
    if (isoDays.size >= 4096) isoDays.clear();
    isoDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
    isoDays.set(day, isoDayText);
  }
  let r = ms - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  const milli = r - sec * 1000;
  return `${isoDayText}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** One line of cases.jsonl (the contract in DESIGN.md "Contracts"). */
export function caseRecord(state: CaseState, setup: HandleSetup, asOf: number) {
  return {
    case_id: state.caseId,
    handle: state.handle,
    customer_id: state.customerId,
    opened_at: iso(state.openedAt),
    state: state.state,
    closed_at: iso(state.closedAt),
    close_reason: state.closeReason,
    opened_in_hours: state.openedInHours,
    first_response_seconds: state.firstResponseSeconds,
    first_response_business_seconds: state.firstResponseBusinessSeconds,
    next_response_seconds: state.nextResponseSeconds,
    next_response_business_seconds: state.nextResponseBusinessSeconds,
    customer_tweets: state.customerTweets,
    brand_replies: state.brandReplies,
    nudges: state.nudges,
    complaint_score: Math.round(state.complaintScore * 1000) / 1000,
    customer_flags: state.customerFlags,
    customer_tweet_ids: state.customerTweetIds,
    replies: state.replies.map((r) => ({
      tweet_id: r.tweetId,
      at: iso(r.at),
      kind: r.kind,
      reasons: r.reasons,
      personality: r.personality,
      automated: r.automated,
      deflected: r.deflected,
      answered: r.answered,
    })),
    flags: caseFlags(state, setup, asOf),
  };
}
export type CaseRecord = ReturnType<typeof caseRecord>;
