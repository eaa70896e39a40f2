// Owns the `check_deadline` job: at a wait's due time it re-checks the case and raises the warning, breach or unanswered alert exactly once.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/connect.ts';
import { lockCase, type CaseWaitRow } from '../src/db/case.repository.ts';
import { handleContextCache, loadHandleContext, type HandleContext } from '../src/db/sla-context.repository.ts';
import { insertBreach, linkBreachAlert, refreshReopenedAlert } from '../src/db/breach-log.repository.ts';
import { addJob } from '../src/db/jobs.ts';
import { commitWithoutFlush } from '../src/db/deadline-jobs.repository.ts';
import { raiseAlert } from '../src/alerts/raise.ts';
import type { DigestSettings } from '../src/alerts/digest-window.ts';
import { calendarClock, deadlineJobKey, planDeadlines, wallClock, type Deadline, type DeadlineMetric, type Metric } from '../src/domain/deadlines.ts';
import { effectivePolicy } from '../src/domain/policy.ts';
import type { Policy } from '../src/domain/types.ts';
import { formatDuration } from '../src/domain/duration.ts';

export const CHECK_DEADLINE = 'check_deadline';

export interface DeadlinePayload {
  caseId: string;
  metric: DeadlineMetric;
  seq: number;
  level: string;
}

export type DeadlineOutcome = 'raised' | 'stale' | 'early' | 'duplicate';

export function casePolicy(ctx: HandleContext, c: CaseWaitRow): Policy {
  const stored = c.policy_name ? ctx.scope.policies.get(c.policy_name) : undefined;
  return stored ?? effectivePolicy(ctx.scope, { id: c.customer_id, username: c.customer_username }).policy;
}

const metricLabel = (m: DeadlineMetric) => (m === 'first_response' ? 'first response' : m === 'next_response' ? 'next response' : 'answer to a complaint');

/** Re-checks one deadline in a transaction; the job key makes a stale job harmless, the dedup key and the breach row make a repeat harmless. */
export async function checkDeadline(
  db: Db,
  p: DeadlinePayload,
  now: Date,
  contextOf: (db: Db, handleId: number) => Promise<HandleContext | undefined> = loadHandleContext,
  digest?: DigestSettings,
): Promise<DeadlineOutcome> {
  return db.transaction().execute(async (trx) => {
    await commitWithoutFlush(trx);
    const c = await lockCase(trx, p.caseId);
    // The brand answered (or the case closed) since the job was planned: nothing is due any more.
    if (!c || c.state !== 'open' || !c.awaiting_since || c.wait_seq !== p.seq || !c.wait_metric) return 'stale';
    if (p.metric !== 'unanswered' && c.wait_metric !== p.metric) return 'stale';
    const ctx = await contextOf(trx, c.handle_id);
    if (!ctx) return 'stale';
    const policy = casePolicy(ctx, c);
    const clock = ctx.calendar ? calendarClock(ctx.calendar) : wallClock;
    const wait = { metric: c.wait_metric as Metric, seq: c.wait_seq, startedAt: c.awaiting_since, complaint: p.metric === 'unanswered' };
    const d = planDeadlines(policy, wait, clock).find((x) => x.metric === p.metric && x.level === p.level);
    if (!d) return 'stale';
    if (now.getTime() < d.dueAt.getTime()) {
      // The policy or calendar moved the due time later; come back then.
      await addJob(trx, CHECK_DEADLINE, p, { runAt: d.dueAt, jobKey: deadlineJobKey(c.id, d), jobKeyMode: 'replace' });
      return 'early';
    }
    const who = `${c.customer_username ? '@' + c.customer_username : c.customer_id} → @${ctx.handle}`;
    const base = { handleId: c.handle_id, teamId: ctx.teamId, caseId: c.id, tweetId: c.opening_tweet_id, dueAt: d.dueAt, raisedAt: now };
    const details = { metric: d.metric, sequence: d.seq, level: d.level, policy: policy.name, clock: policy.clock, targetSeconds: d.targetSeconds, waitingSince: c.awaiting_since.toISOString(), tier: c.tier };
    const reasons = [`waiting since ${c.awaiting_since.toISOString()}`, `${metricLabel(d.metric)} target ${formatDuration(d.targetSeconds)} on the ${policy.clock} clock (policy ${policy.name})`];

    if (d.level.startsWith('warn')) {
      const r = await raiseAlert(
        trx,
        { ...base, kind: 'sla_warning', severity: 'warning', dedupKey: `sla_warning:${c.id}:${d.metric}:${d.seq}:${d.level}`, title: `SLA warning: ${Math.round(d.ratio * 100)}% of the ${metricLabel(d.metric)} target used, ${who}`, reasons: [...reasons, `${Math.round(d.ratio * 100)}% of the target used`], details },
        { now, digest },
      );
      return r.created ? 'raised' : 'duplicate';
    }
    if (d.metric === 'unanswered') {
      const r = await raiseAlert(
        trx,
        { ...base, kind: 'unanswered', severity: 'critical', dedupKey: `unanswered:${c.id}:${d.seq}`, title: `Complaint unanswered for ${formatDuration(d.targetSeconds)}: ${who}`, reasons: [...reasons.slice(0, 1), `complaint with no brand reply within ${formatDuration(d.targetSeconds)}`], details },
        { now, digest },
      );
      return r.created ? 'raised' : 'duplicate';
    }
    return raiseBreach(trx, c, ctx, policy, d, { ...base, details, reasons, who }, now, digest);
  });
}

async function raiseBreach(
  trx: Db,
  c: CaseWaitRow,
  ctx: HandleContext,
  policy: Policy,
  d: Deadline,
  a: { handleId: number; teamId: number; caseId: string; tweetId: string; dueAt: Date; raisedAt: Date; details: Record<string, unknown>; reasons: string[]; who: string },
  now: Date,
  digest?: DigestSettings,
): Promise<DeadlineOutcome> {
  const breachId = await insertBreach(trx, {
    caseId: c.id,
    handleId: c.handle_id,
    teamId: ctx.teamId,
    metric: d.metric as Metric,
    sequence: d.seq,
    policy: policy.name,
    clock: policy.clock,
    targetSeconds: d.targetSeconds,
    startedAt: c.awaiting_since!,
    dueAt: d.dueAt,
  });
  if (!breachId) return 'duplicate';
  const title = `SLA breach: ${metricLabel(d.metric)} target of ${formatDuration(d.targetSeconds)} missed, ${a.who}`;
  const reasons = [...a.reasons, `no brand reply by ${d.dueAt.toISOString()}`];
  const severity = 'critical';
  const { who: _who, ...alert } = a;
  // One breach alert per case: auto-resolved when the brand answers, reopened (and delivered again) on the case's next breach.
  const r = await raiseAlert(trx, { ...alert, kind: 'sla_breach', severity, dedupKey: `sla_breach:${c.id}`, title, reasons }, { now, reopen: true, digest });
  if (r.reopened) await refreshReopenedAlert(trx, r.id, { title, reasons, details: a.details, dueAt: d.dueAt, raisedAt: now, severity });
  await linkBreachAlert(trx, breachId, r.id);
  return 'raised';
}

export function checkDeadlineTask(deps: Deps): Task {
  const contextOf = handleContextCache();
  return async (payload, helpers) => {
    const p = payload as DeadlinePayload;
    const outcome = await checkDeadline(deps.db, p, deps.clock(), contextOf, deps.config?.delivery);
    helpers.logger.debug(`deadline ${deadlineJobKey(p.caseId, p)}: ${outcome}`);
  };
}
