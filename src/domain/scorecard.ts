// Owns scorecards: per handle (and period) clarity, speed and personality figures, the overall grade (src/domain/grade.ts) and a ranking.
import type { HandleSetup } from './analysis.ts';
import { breachedSla } from './case-summary.ts';
import type { CaseState } from './cases.ts';
import { GRADE_FORMULA, gradeCard } from './grade.ts';
import { DEFLECTING_KINDS, REPLY_KINDS, type ReplyKind } from './types.ts';

export { GRADE_FORMULA, gradeOf } from './grade.ts';

/** Quantile with linear interpolation between closest ranks (numpy's default, Excel PERCENTILE.INC). `sorted` ascending. */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export type Period = 'all' | 'month' | 'week';

/** Period key of an instant (UTC): "all", "2017-10", or the Monday of its ISO week "2017-W44:2017-10-30". */
export function periodKey(ms: number, period: Period): string {
  if (period === 'all') return 'all';
  const d = new Date(ms);
  if (period === 'month') return d.toISOString().slice(0, 7);
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  return `week-of-${monday.toISOString().slice(0, 10)}`;
}

interface Acc {
  handle: string;
  period: string;
  targetSeconds: number;
  clock: 'business' | 'wall';
  cases: number;
  answered: number;
  resolved: number;
  deflectedCases: number;
  customerTweets: number;
  replies: number;
  nudges: number;
  kinds: Record<string, number>;
  deflectingReplies: number;
  signed: number;
  usesName: number;
  empathy: number;
  canned: number;
  first: number[];
  firstBusiness: number[];
  next: number[];
  inHours: number[];
  afterHours: number[];
  due: number;
  withinTarget: number;
  from: number;
  to: number;
}

const round = (x: number | null, digits = 4) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b));
const sortNum = (xs: number[]) => xs.sort((a, b) => a - b);

/** Collects finished cases and builds scorecards. Handles with fewer than `minCasesToRank` cases get no rank. */
export class ScorecardBuilder {
  private readonly accs = new Map<string, Acc>();

  constructor(private readonly opts: { period?: Period; asOf: number; minCasesToRank?: number }) {}

  add(c: CaseState, setup: HandleSetup): void {
    this.addTo(c, setup, 'all');
    if (this.opts.period && this.opts.period !== 'all') this.addTo(c, setup, periodKey(c.openedAt, this.opts.period));
  }

  private addTo(c: CaseState, setup: HandleSetup, period: string) {
    const key = c.handle + '\u0000' + period;
    let a = this.accs.get(key);
    const p = setup.policy;
    if (!a) {
      a = { handle: c.handle, period, targetSeconds: p.firstResponseMinutes * 60, clock: p.clock, cases: 0, answered: 0, resolved: 0, deflectedCases: 0, customerTweets: 0, replies: 0, nudges: 0, kinds: {}, deflectingReplies: 0, signed: 0, usesName: 0, empathy: 0, canned: 0, first: [], firstBusiness: [], next: [], inHours: [], afterHours: [], due: 0, withinTarget: 0, from: c.openedAt, to: c.openedAt };
      this.accs.set(key, a);
    }
    a.cases++;
    a.from = Math.min(a.from, c.openedAt);
    a.to = Math.max(a.to, c.openedAt);
    a.customerTweets += c.customerTweets;
    a.nudges += c.nudges;
    let resolved = c.closeReason === 'thanks';
    let deflected = false;
    for (const r of c.replies) {
      a.replies++;
      a.kinds[r.kind] = (a.kinds[r.kind] ?? 0) + 1;
      if (r.deflected) {
        a.deflectingReplies++;
        deflected = true;
      }
      if (r.kind === 'resolution') resolved = true;
      for (const f of r.personality) {
        if (f === 'signed') a.signed++;
        else if (f === 'uses_name') a.usesName++;
        else if (f === 'empathy') a.empathy++;
        else if (f === 'canned') a.canned++;
      }
    }
    if (resolved) a.resolved++;
    if (deflected) a.deflectedCases++;
    if (c.firstResponseSeconds !== null) {
      a.answered++;
      a.first.push(c.firstResponseSeconds);
      a.firstBusiness.push(c.firstResponseBusinessSeconds ?? 0);
      (c.openedInHours ? a.inHours : a.afterHours).push(c.firstResponseSeconds);
      const onClock = p.clock === 'business' ? c.firstResponseBusinessSeconds! : c.firstResponseSeconds;
      a.due++;
      if (onClock <= a.targetSeconds) a.withinTarget++;
    } else if (breachedSla(c, setup, this.opts.asOf)) {
      a.due++;
    }
    for (const s of c.nextResponseSeconds) a.next.push(s);
  }

  /** The raw accumulators (plain data), to send from a worker thread to the one that builds the scorecard. */
  parts(): unknown[] {
    return [...this.accs.values()];
  }

  /** Adds accumulators from `parts()` of another builder (one that saw other cases). */
  absorb(parts: unknown[]): void {
    for (const p of parts as Acc[]) {
      const key = p.handle + '\u0000' + p.period;
      const a = this.accs.get(key);
      if (!a) {
        this.accs.set(key, p);
        continue;
      }
      for (const k of ['cases', 'answered', 'resolved', 'deflectedCases', 'customerTweets', 'replies', 'nudges', 'deflectingReplies', 'signed', 'usesName', 'empathy', 'canned', 'due', 'withinTarget'] as const) a[k] += p[k];
      for (const k of ['first', 'firstBusiness', 'next', 'inHours', 'afterHours'] as const) for (const x of p[k]) a[k].push(x);
      for (const [kind, n] of Object.entries(p.kinds)) a.kinds[kind] = (a.kinds[kind] ?? 0) + n;
      a.from = Math.min(a.from, p.from);
      a.to = Math.max(a.to, p.to);
    }
  }

  build() {
    const cards = [...this.accs.values()].map((a) => card(a));
    const all = cards.filter((c) => c.period === 'all');
    const min = this.opts.minCasesToRank ?? 5;
    const ranked = all.filter((c) => c.volumes.cases >= min).sort((x, y) => y.score.overall - x.score.overall || y.volumes.cases - x.volumes.cases || (x.handle < y.handle ? -1 : 1));
    ranked.forEach((c, i) => (c.rank = i + 1));
    const handles: Record<string, (typeof cards)[number]> = {};
    for (const c of all.sort((x, y) => y.volumes.cases - x.volumes.cases || (x.handle < y.handle ? -1 : 1))) handles[c.handle] = c;
    const periods: Record<string, Record<string, (typeof cards)[number]>> = {};
    for (const c of cards) if (c.period !== 'all') (periods[c.period] ??= {})[c.handle] = c;
    return { as_of: new Date(this.opts.asOf).toISOString(), grade_formula: GRADE_FORMULA, ranking: ranked.map((c) => c.handle), handles, periods };
  }
}

function card(a: Acc) {
  const first = sortNum(a.first);
  const firstBusiness = sortNum(a.firstBusiness);
  const next = sortNum(a.next);
  const deflectionByKind: Partial<Record<ReplyKind, number | null>> = {};
  for (const k of DEFLECTING_KINDS) deflectionByKind[k] = ratio(a.kinds[k] ?? 0, a.replies);
  const kinds: Partial<Record<ReplyKind, number>> = {};
  for (const k of REPLY_KINDS) if (a.kinds[k]) kinds[k] = a.kinds[k];
  const replyRate = ratio(a.answered, a.cases) ?? 0;
  const deflectionRate = ratio(a.deflectingReplies, a.replies);
  const resolutionRate = ratio(a.resolved, a.cases) ?? 0;
  const share = (n: number) => ratio(n, a.replies);
  const personality = { signed: share(a.signed), uses_name: share(a.usesName), empathy: share(a.empathy), canned: share(a.canned) };
  const withinTarget = ratio(a.withinTarget, a.due);
  const graded = gradeCard({
    cases: a.cases,
    dueCases: a.due,
    dueWithinTarget: a.withinTarget,
    targetSeconds: a.targetSeconds,
    clock: a.clock,
    replyRate,
    deflectionRate,
    resolutionRate,
    replies: a.replies,
    signed: personality.signed,
    usesName: personality.uses_name,
    empathy: personality.empathy,
    canned: personality.canned,
  });
  return {
    handle: a.handle,
    period: a.period,
    from: new Date(a.from).toISOString(),
    to: new Date(a.to).toISOString(),
    volumes: { cases: a.cases, answered_cases: a.answered, unanswered_cases: a.cases - a.answered, customer_tweets: a.customerTweets, brand_replies: a.replies },
    clarity: {
      reply_rate: replyRate,
      resolution_rate: resolutionRate,
      deflection_rate: deflectionRate,
      deflected_case_rate: ratio(a.deflectedCases, a.cases),
      deflection_by_kind: deflectionByKind,
      reply_kinds: kinds,
      replies_per_case: ratio(a.replies, a.cases),
      nudges_per_case: ratio(a.nudges, a.cases),
    },
    speed: {
      clock: a.clock,
      target_seconds: a.targetSeconds,
      first_response_seconds: { median: round(quantile(first, 0.5), 1), p90: round(quantile(first, 0.9), 1) },
      first_response_business_seconds: { median: round(quantile(firstBusiness, 0.5), 1), p90: round(quantile(firstBusiness, 0.9), 1) },
      next_response_seconds: { count: next.length, median: round(quantile(next, 0.5), 1), p90: round(quantile(next, 0.9), 1) },
      share_within_target: withinTarget,
      in_hours: { cases: a.inHours.length, median_first_response_seconds: round(quantile(sortNum(a.inHours), 0.5), 1) },
      after_hours: { cases: a.afterHours.length, median_first_response_seconds: round(quantile(sortNum(a.afterHours), 0.5), 1) },
    },
    personality,
    score: graded.score,
    grade: graded.grade,
    grade_reasons: graded.reasons,
    rank: null as number | null,
  };
}

export type Scorecard = ReturnType<ScorecardBuilder['build']>;
export type HandleCard = ReturnType<typeof card>;
