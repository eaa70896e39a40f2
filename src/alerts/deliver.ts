// Owns delivering one delivery row: claim (SKIP LOCKED), pass the channel gate (rate, digest window), send, mark once.
//
// Retries are rescheduled by us (addJob with run_at and the delivery's job key) instead of throwing to
// graphile-worker: its retry delay is a fixed exponential without jitter and cannot follow Retry-After, and our
// attempt count lives on the delivery row, where the API and `alerts retry --dead` see it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { ChannelConfig } from '../config.ts';
import { addJob } from '../db/jobs.ts';
import { loadChannel, lockChannelState, lockDelivery, recordAttempt, updateChannelState, updateDelivery } from '../db/delivery.repository.ts';
import { backoffMs } from './backoff.ts';
import { channelHost, sendToChannel } from './channel-send.ts';
import { pausedUntil, probeHold, settleChannel } from './channel-pause.ts';
import { deliverJobKey, digestJobKey } from './job-keys.ts';
import { digestWindow } from './digest-window.ts';
import { loadViews } from './views.ts';

/** Jobs fire a little early or late; within this a due row counts as due. */
const SLACK_MS = 50;

export type DeliverOutcome = 'sent' | 'retry' | 'dead' | 'digest' | 'deferred' | 'skipped';

export function channelIntervalMs(channel: ChannelConfig | undefined, deps: Pick<Deps, 'config'>): number {
  return !channel || channel.type === 'console' ? 0 : deps.config.delivery.channelIntervalMs;
}

export interface GateResult {
  action: 'send' | 'digest' | 'wait';
  at: Date;
  /** Waiting for the channel's pause to end (a 429/503, or a probe in flight): any slot reservation is void. */
  paused?: boolean;
  /** This send is the first after a pause and goes alone; its answer ends or renews the pause. */
  probe?: boolean;
}

/**
 * Decides, under the channel's row lock, whether a message may go now. A new delivery counts against the digest
 * window (at most `digestThresholdPerMinute` per window; the rest are folded into the window's digest) and reserves
 * the channel's next send slot. Whatever the reservation, no two messages leave closer than the channel interval,
 * and none leaves while the channel is paused.
 */
export async function passChannelGate(trx: Kysely<Database>, channel: string, intervalMs: number, deps: Pick<Deps, 'config' | 'clock'>, reserved: boolean): Promise<GateResult> {
  const cs = await lockChannelState(trx, channel);
  // Read the clock after the lock: the time we record must be the time we really go, not when we started waiting.
  const now = deps.clock();
  const t = now.getTime();
  // Checked before the digest window: a send that waits for a pause has not been counted yet, and costs no attempt.
  const paused = pausedUntil(cs, now);
  if (paused) return { action: 'wait', at: paused, paused: true };
  const { probe, patch: hold } = probeHold(cs, now, deps);
  const spaced = cs.last_send_at ? cs.last_send_at.getTime() + intervalMs : 0;
  if (reserved) {
    if (spaced > t) return { action: 'wait', at: new Date(spaced) };
    await updateChannelState(trx, channel, { last_send_at: now, ...hold });
    return { action: 'send', at: now, probe };
  }
  const { start: windowStart, end: windowEnd } = digestWindow(now, deps.config.delivery);
  const count = cs.window_start?.getTime() === windowStart.getTime() ? cs.window_count : 0;
  if (count >= deps.config.delivery.digestThresholdPerMinute) {
    return { action: 'digest', at: windowEnd };
  }
  const slot = Math.max(t, cs.next_send_at.getTime(), spaced);
  const goNow = slot <= t;
  await updateChannelState(trx, channel, { next_send_at: new Date(slot + intervalMs), window_start: windowStart, window_count: count + 1, ...(goNow ? { last_send_at: now, ...hold } : {}) });
  return { action: goNow ? 'send' : 'wait', at: goNow ? now : new Date(slot), probe: goNow && probe };
}

export async function deliverOne(deps: Deps, deliveryRowId: string): Promise<DeliverOutcome> {
  const { db, config } = deps;
  const log = deps.log.child({ name: 'notifier' });
  const now = deps.clock();
  const staleBefore = now.getTime() - config.delivery.leaseMs;

  const claim = await db.transaction().execute(async (trx) => {
    let startedAt = now;
    let probe = false;
    const d = await lockDelivery(trx, deliveryRowId);
    if (!d) return { outcome: 'skipped' as const };
    const due = d.next_attempt_at.getTime() <= now.getTime() + SLACK_MS;
    if (d.state === 'sending') {
      // Someone else is sending it right now (or crashed less than a lease ago).
      if (d.updated_at.getTime() >= staleBefore) return { outcome: 'skipped' as const };
    } else if (d.state === 'pending' || d.state === 'ready') {
      if (!due) {
        await addJob(trx, 'deliver_alert', { deliveryId: d.id }, { runAt: d.next_attempt_at, jobKey: deliverJobKey(d.id) });
        return { outcome: 'deferred' as const };
      }
      const channel = await loadChannel(trx, d.channel);
      const gate = await passChannelGate(trx, d.channel, channelIntervalMs(channel, deps), deps, d.state === 'ready');
      if (gate.action === 'digest') {
        await updateDelivery(trx, d.id, { state: 'digest', next_attempt_at: gate.at }, now);
        await addJob(trx, 'send_digest', { channel: d.channel }, { runAt: gate.at, jobKey: digestJobKey(d.channel, gate.at), jobKeyMode: 'preserve_run_at' });
        return { outcome: 'digest' as const };
      }
      if (gate.action === 'wait') {
        // 'ready' holds a reserved slot; after a pause the delivery queues again like a new one.
        await updateDelivery(trx, d.id, { state: gate.paused ? 'pending' : 'ready', next_attempt_at: gate.at }, now);
        await addJob(trx, 'deliver_alert', { deliveryId: d.id }, { runAt: gate.at, jobKey: deliverJobKey(d.id) });
        return { outcome: 'deferred' as const };
      }
      startedAt = gate.at;
      probe = gate.probe ?? false;
    } else {
      return { outcome: 'skipped' as const };
    }
    const attempt = d.attempts + 1;
    await updateDelivery(trx, d.id, { state: 'sending', attempts: attempt }, startedAt);
    return { outcome: 'send' as const, d, attempt, resend: d.state === 'sending', startedAt, probe };
  });
  if (claim.outcome !== 'send') return claim.outcome;

  const { d, attempt } = claim;
  const channel = await loadChannel(db, d.channel);
  const [view] = await loadViews(db, [{ alertId: d.alert_id, level: d.level }], now);
  const clog = log.child({ channel: d.channel, host: channel ? channelHost(channel) : null, deliveryId: d.delivery_id, alertId: d.alert_id, attempt });
  if (claim.resend) clog.warn('re-sending a delivery abandoned mid-send (same delivery id)');
  if (claim.probe) clog.info('testing a paused channel with one message before sending the rest');
  const result = !channel
    ? { ok: false as const, permanent: true, error: `channel "${d.channel}" is not configured: add it to the config file or /v1/admin/channels, then \`replywatch alerts retry --dead\``, code: 'UNKNOWN_CHANNEL' }
    : !view
      ? { ok: false as const, permanent: true, error: `alert ${d.alert_id} no longer exists`, code: 'ALERT_GONE' }
      : await sendToChannel(channel, { type: 'alert', deliveryId: d.delivery_id, alert: view }, { publicUrl: config.publicUrl, delivery: config.delivery, log: clog, now });
  const done = deps.clock();

  return db.transaction().execute(async (trx) => {
    const guard = { state: 'sending', attempts: attempt };
    const paused = await settleChannel(trx, deps, d.channel, result, claim.probe, done, clog);
    if (result.ok) {
      const marked = await updateDelivery(trx, d.id, { state: 'sent', sent_at: done, last_error: null }, done, guard);
      // Only the attempt that moved the row to 'sent' records 'sent' (a unique index backs this up).
      await recordAttempt(trx, { deliveryId: d.delivery_id, attempt, outcome: marked ? 'sent' : 'resent', status: result.status, at: claim.startedAt });
      if (marked) clog.info('alert delivered');
      return 'sent';
    }
    const dead = result.permanent || attempt >= config.delivery.maxAttempts;
    await recordAttempt(trx, { deliveryId: d.delivery_id, attempt, outcome: result.code === 'RATE_LIMITED' ? 'rate_limited' : dead && result.permanent ? 'refused' : 'failed', status: result.status, error: result.error, at: claim.startedAt });
    if (dead) {
      await updateDelivery(trx, d.id, { state: 'dead', last_error: result.error }, done, guard);
      clog.error({ code: result.code, error: result.error }, 'delivery gave up; `replywatch alerts retry --dead` requeues it');
      return 'dead';
    }
    // A paused channel decides when this delivery goes again (Retry-After or the channel's backoff), like the others waiting.
    const next = paused ?? new Date(done.getTime() + (result.retryAfterMs ?? backoffMs(attempt, config.delivery.retryBaseMs, config.delivery.retryMaxMs)));
    const delay = next.getTime() - done.getTime();
    if (await updateDelivery(trx, d.id, { state: 'pending', last_error: result.error, next_attempt_at: next }, done, guard)) {
      await addJob(trx, 'deliver_alert', { deliveryId: d.id }, { runAt: next, jobKey: deliverJobKey(d.id) });
    }
    clog.warn({ code: result.code, error: result.error, retryInMs: delay }, 'delivery failed; will retry');
    return 'retry';
  });
}
