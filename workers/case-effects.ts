// Owns what a batch of case updates means for the SLA: deadline jobs planned or removed, breaches logged and completed, SLA alerts resolved, rule alerts raised.
import type pg from 'pg';
import type { DigestSettings } from '../src/alerts/digest-window.ts';
import type { Db } from '../src/db/connect.ts';
import type { HandleContext } from '../src/db/sla-context.repository.ts';
import { caseTimelines } from '../src/db/case.repository.ts';
import { answerBreach, insertAnsweredBreaches, resolveCaseAlerts, type NewBreach } from '../src/db/breach-log.repository.ts';
import { addJobsBulk, removeJobsBulk, type JobSpec } from '../src/db/deadline-jobs.repository.ts';
import { raiseAlert } from '../src/alerts/raise.ts';
import { stopEscalation } from '../src/alerts/alert-state.ts';
import { cancelWaitingDeliveries } from '../src/db/delivery.repository.ts';
import type { HandleSetup } from '../src/domain/analysis.ts';
import { caseAlerts, type CaseTweet } from '../src/domain/alert-rules.ts';
import { currentWait, type CaseEvent, type CaseState } from '../src/domain/cases.ts';
import { deadlineJobKey, deadlinesToSchedule, isBreached, measureWait, planDeadlines, warnLevel, type Metric, type WorkClock } from '../src/domain/deadlines.ts';
import { deflectingKinds } from '../src/domain/policy.ts';
import { DEFLECTING_KINDS } from '../src/domain/types.ts';
import { CHECK_DEADLINE } from './check-deadline.ts';

export interface TouchedCase {
  state: CaseState;
  setup: HandleSetup;
  tier: string;
}

export interface BatchEffects {
  /** The pg client under `trx` (see clientTransaction), for COPY. */
  client: pg.PoolClient;
  touched: Map<string, TouchedCase>;
  /** case_key -> cases.id */
  ids: Map<string, string>;
  events: CaseEvent[];
  clock: WorkClock;
  now: Date;
  digest?: DigestSettings;
}

const SLA_KINDS = ['sla_breach', 'sla_warning', 'unanswered'];
/** Alerts whose message a reply makes untrue: "the deadline is near", "nobody has answered". */
const NO_LONGER_TRUE_ONCE_ANSWERED = new Set(['sla_warning', 'unanswered']);
/**
 * Content alerts (deflected, escalation, churn risk) are raised only for tweets this recent: a backfill or a years-old
 * corpus still fills the case log and the breach log, but does not page a team about history nobody can act on.
 */
export const RULE_ALERT_MAX_AGE_MS = 24 * 3_600_000;
const RULE_FLAGS = ['complaint', 'churn_threat', 'escalation'];

export async function applyCaseEffects(trx: Db, ctx: HandleContext, b: BatchEffects): Promise<void> {
  const startedHere = new Set<string>();
  for (const e of b.events) if (e.type === 'awaiting_started') startedHere.add(`${e.caseId}|${e.seq}`);

  // Answers: close the waits' timers, complete or record breaches, resolve the SLA alerts the wait raised.
  const removals: string[] = [];
  const late: NewBreach[] = [];
  const resolve = new Set<string>();
  for (const e of b.events) {
    if (e.type !== 'responded') continue;
    const t = b.touched.get(e.caseId);
    const id = b.ids.get(e.caseId);
    if (!t || !id) continue;
    const policy = t.setup.policy;
    const hadTimers = !startedHere.has(`${e.caseId}|${e.seq}`);
    if (hadTimers) {
      for (const level of [...policy.warnRatios.map(warnLevel), 'breach']) removals.push(deadlineJobKey(id, { metric: e.metric, seq: e.seq, level }));
      removals.push(deadlineJobKey(id, { metric: 'unanswered', seq: e.seq, level: 'horizon' }));
      resolve.add(id);
    }
    const answeredAt = new Date(e.at);
    const wait = { metric: e.metric, seq: e.seq, startedAt: new Date(e.at - Math.round(e.seconds * 1000)), complaint: false };
    const m = measureWait(policy, wait, b.clock, answeredAt);
    if (isBreached(m, answeredAt, b.now)) {
      late.push({
        caseId: id,
        handleId: ctx.handleId,
        teamId: ctx.teamId,
        metric: e.metric as Metric,
        sequence: e.seq,
        policy: policy.name,
        clock: policy.clock,
        targetSeconds: m.targetSeconds,
        startedAt: wait.startedAt,
        dueAt: m.dueAt,
        answeredAt,
        actualSeconds: m.actualSeconds!,
        actualBusinessSeconds: m.actualBusinessSeconds!,
        overBySeconds: m.overBySeconds!,
      });
    }
  }
  // Breaches a deadline job already logged (unanswered then) get their answer; the rest are logged answered.
  const existing = new Set(await insertAnsweredBreaches(trx, b.client, late));
  for (const x of late) {
    if (!existing.has(`${x.caseId}|${x.metric}|${x.sequence}`)) continue;
    await answerBreach(trx, { caseId: x.caseId, metric: x.metric, sequence: x.sequence }, { answeredAt: x.answeredAt!, actualSeconds: x.actualSeconds!, actualBusinessSeconds: x.actualBusinessSeconds!, overBySeconds: x.overBySeconds! });
  }
  // An answered wait resolves its SLA alerts, and nobody needs paging about them any more: no escalation, and a warning
  // or an "unanswered" not sent yet (held overnight, paced, in a digest not yet going out) is left out, since what it
  // says is no longer true. A breach still goes out: the target was missed, answered or not.
  const resolved = await resolveCaseAlerts(trx, [...resolve], SLA_KINDS, 'answered', b.now);
  await stopEscalation(trx, resolved.map((a) => a.id));
  await cancelWaitingDeliveries(trx, resolved.filter((a) => NO_LONGER_TRUE_ONCE_ANSWERED.has(a.kind)).map((a) => a.id), 'answered (the brand replied) before it was sent', b.now);
  await removeJobsBulk(trx, removals);

  // New waits: one job per warning, the breach and (for complaints) the unanswered horizon.
  const specs: JobSpec[] = [];
  for (const [key, t] of b.touched) {
    const wait = currentWait(t.state);
    const id = b.ids.get(key);
    if (!wait || !id || !startedHere.has(`${key}|${wait.seq}`)) continue;
    for (const d of deadlinesToSchedule(planDeadlines(t.setup.policy, wait, b.clock), b.now)) {
      specs.push({ task: CHECK_DEADLINE, payload: { caseId: id, metric: d.metric, seq: d.seq, level: d.level }, runAt: d.dueAt, jobKey: deadlineJobKey(id, d) });
    }
  }
  await addJobsBulk(trx, specs);

  await raiseRuleAlerts(trx, ctx, b);
}

/** Escalation, churn risk and deflection alerts for the cases of the batch that carry those signals. */
async function raiseRuleAlerts(trx: Db, ctx: HandleContext, b: BatchEffects): Promise<void> {
  // Only cases with a signal, and with activity recent enough for an alert (see RULE_ALERT_MAX_AGE_MS).
  const recent = b.now.getTime() - RULE_ALERT_MAX_AGE_MS;
  const candidates = [...b.touched.entries()].filter(([, t]) => t.state.lastActivityAt >= recent && t.state.customerFlags.some((f) => RULE_FLAGS.includes(f)));
  if (!candidates.length) return;
  const byCase = new Map<string, CaseTweet[]>();
  const keyOf = new Map(candidates.map(([key]) => [b.ids.get(key)!, key]));
  for (const r of await caseTimelines(trx, [...keyOf.keys()])) {
    const list = byCase.get(r.case_id!) ?? [];
    byCase.set(r.case_id!, list);
    list.push({ tweetId: r.tweet_id, role: r.role as 'customer' | 'brand', at: r.created_at, kind: r.kind, flags: r.role === 'customer' ? r.flags : [], reasons: r.reasons });
  }
  for (const [key, t] of candidates) {
    const id = b.ids.get(key)!;
    const automated = new Set(t.state.replies.filter((r) => r.automated).map((r) => r.tweetId));
    const tweets = (byCase.get(id) ?? []).map((x) => ({ ...x, automated: automated.has(x.tweetId) }));
    const label = t.state.customerId;
    const drafts = caseAlerts({ caseId: id, customerId: t.state.customerId, customerLabel: label, handle: ctx.handle, tweets }, deflectingKinds(t.setup.policy, DEFLECTING_KINDS));
    for (const a of drafts) {
      const trigger = tweets.find((x) => x.tweetId === a.tweetId);
      if (trigger && b.now.getTime() - trigger.at.getTime() > RULE_ALERT_MAX_AGE_MS) continue;
      await raiseAlert(trx, { ...a, handleId: ctx.handleId, teamId: ctx.teamId, caseId: id, tweetId: a.tweetId ?? null, dueAt: a.dueAt ?? null, raisedAt: b.now }, { now: b.now, digest: b.digest });
    }
  }
}
