// Owns raising an alert (the outbox): the alert row, its deliveries and their jobs commit in the caller's transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { addJob, holdWaitingJob } from '../db/jobs.ts';
import { findAlertByDedupKey, insertAlertIfNew, loadRoutes, loadRoutingContext, markAlertReopened } from '../db/alert.repository.ts';
import { clearDeliveriesForReopen, digestWindowFull, insertDelivery } from '../db/delivery.repository.ts';
import { digestWindow, type DigestSettings } from './digest-window.ts';
import { matchRoutes, type Severity } from './routing.ts';
import { isOpen, nextOpening } from './business-hours.ts';
import { deliverJobKey, digestJobKey, escalateJobKey } from './job-keys.ts';

export interface NewAlert {
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  dedupKey: string;
  handleId?: number | null;
  teamId?: number | null;
  caseId?: string | null;
  tweetId?: string | null;
  title: string;
  reasons: string[];
  details?: Record<string, unknown>;
  dueAt?: Date | null;
  raisedAt?: Date;
}

export interface RaiseOptions {
  now: Date;
  /** When an alert with this dedup key exists and is resolved, reopen it and notify again (default false: do nothing). */
  reopen?: boolean;
  /**
   * The notifier's digest settings. With them, a delivery to a channel whose current digest window is already full
   * joins that window's digest at once, instead of queuing a delivery job that would only find the window full: in
   * an alert storm this halves the jobs per alert and keeps the channel's lock free for the messages that do go.
   */
  digest?: DigestSettings;
}

export interface RaiseResult {
  id: string;
  created: boolean;
  /** True when a resolved alert was reopened (only with `reopen: true`). */
  reopened?: boolean;
}

/**
 * The one way to raise an alert. Inserts it (a duplicate dedup key does nothing) and, only when new, plans its
 * deliveries: one row and one `deliver_alert` job per matched channel, plus an `escalate_alert` job per escalating route.
 * Pass the caller's transaction so the alert, deliveries and jobs commit or roll back together.
 */
export async function raiseAlert(trx: Kysely<Database>, alert: NewAlert, opts: RaiseOptions): Promise<RaiseResult> {
  const raisedAt = alert.raisedAt ?? opts.now;
  const id = await insertAlertIfNew(trx, {
    kind: alert.kind,
    severity: alert.severity,
    dedupKey: alert.dedupKey,
    handleId: alert.handleId ?? null,
    teamId: alert.teamId ?? null,
    caseId: alert.caseId ?? null,
    tweetId: alert.tweetId ?? null,
    title: alert.title,
    reasons: alert.reasons,
    details: alert.details ?? {},
    dueAt: alert.dueAt ?? null,
    raisedAt,
  });
  if (id) {
    await planDeliveries(trx, id, opts.now, undefined, opts.digest);
    return { id, created: true };
  }
  const existing = await findAlertByDedupKey(trx, alert.dedupKey);
  if (!existing) throw new Error(`alert ${alert.dedupKey} vanished while being raised; retry the transaction`);
  if (opts.reopen && existing.state === 'resolved') {
    const done = await reopenAlert(trx, existing.id, { now: opts.now, digest: opts.digest });
    return { id: existing.id, created: false, reopened: done };
  }
  return { id: existing.id, created: false };
}

/** Reopens a resolved alert and delivers it again through today's routes (new delivery ids). False if it was not resolved. */
export async function reopenAlert(trx: Kysely<Database>, alertId: string, opts: { now: Date; digest?: DigestSettings }): Promise<boolean> {
  if (!(await markAlertReopened(trx, alertId, opts.now))) return false;
  for (const id of await clearDeliveriesForReopen(trx, alertId, opts.now)) await addJob(trx, 'deliver_alert', { deliveryId: id }, { jobKey: deliverJobKey(id) });
  await planDeliveries(trx, alertId, opts.now, opts.now, opts.digest);
  return true;
}

async function planDeliveries(trx: Kysely<Database>, alertId: string, now: Date, escalateFrom?: Date, digest?: DigestSettings): Promise<void> {
  const ctx = await loadRoutingContext(trx, alertId);
  if (!ctx) return;
  const routes = matchRoutes(await loadRoutes(trx), { kind: ctx.kind, severity: ctx.severity as Severity, team: ctx.team, handle: ctx.handle });
  // Quiet routes first would let a quiet route hold a channel a loud route wants now; loud ones win.
  routes.sort((a, b) => Number(a.quietHours) - Number(b.quietHours));
  const window = digest ? digestWindow(now, digest) : null;
  for (const route of routes) {
    const quiet = route.quietHours && ctx.severity !== 'critical' && ctx.calendar !== null && !isOpen(ctx.calendar, now);
    const heldUntil = quiet ? nextOpening(ctx.calendar!, now) : null;
    for (const channel of route.channels) {
      // The channel gate would fold this delivery into the window's digest anyway (see passChannelGate).
      const burst = !heldUntil && window && (await digestWindowFull(trx, channel, window.start, digest!.digestThresholdPerMinute)) ? window.end : null;
      const digestAt = heldUntil ?? burst;
      const state = heldUntil ? 'held' : burst ? 'digest' : 'pending';
      const deliveryId = await insertDelivery(trx, { alertId, channel, level: 0, route: route.name, state, nextAttemptAt: digestAt ?? now });
      if (!deliveryId) continue;
      if (digestAt) {
        const jobKey = digestJobKey(channel, digestAt);
        // In a burst every alert joins the same digest: its job is usually queued already.
        if (!burst || !(await holdWaitingJob(trx, jobKey))) await addJob(trx, 'send_digest', { channel }, { runAt: digestAt, jobKey, jobKeyMode: 'preserve_run_at' });
      } else await addJob(trx, 'deliver_alert', { deliveryId }, { jobKey: deliverJobKey(deliveryId) });
    }
    if (route.escalate) {
      const from = heldUntil ?? escalateFrom ?? ctx.raisedAt;
      const runAt = new Date(from.getTime() + route.escalate.afterMinutes * 60_000);
      await addJob(trx, 'escalate_alert', { alertId, route: route.name }, { runAt, jobKey: escalateJobKey(alertId, route.name) });
    }
  }
}
