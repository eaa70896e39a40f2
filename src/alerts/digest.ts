// Owns digests: folding a channel's burst (or quiet-hours) deliveries into one message, sent once per digest id.
//
// What a digest carries is read when it is claimed for sending, under its row lock: an alert acknowledged or resolved
// before that (its delivery cancelled by alert-state) is left out, and a digest left with no alert is not sent.
import type { Deps } from '../deps.ts';
import { addJob } from '../db/jobs.ts';
import {
  createDigestFromDue,
  digestAlertIds,
  findResumableDigest,
  hasDueDigestWork,
  loadChannel,
  lockChannelState,
  recordAttempt,
  settleDigestDeliveries,
  updateChannelState,
  updateDigest,
} from '../db/delivery.repository.ts';
import { backoffMs } from './backoff.ts';
import { channelHost, sendToChannel } from './channel-send.ts';
import { pausedUntil, probeHold, settleChannel } from './channel-pause.ts';
import { channelIntervalMs } from './deliver.ts';
import { digestJobKey } from './job-keys.ts';
import { loadViews } from './views.ts';

export type DigestOutcome = 'sent' | 'retry' | 'dead' | 'deferred' | 'nothing' | 'cancelled';

/** Why a digest ended without being sent (digests.last_error). */
export const EMPTY_DIGEST_REASON = 'not sent: every alert in it was acknowledged or resolved before it went out';

/** Sends the channel's next due digest (resuming an unfinished one first). Returns what happened. */
export async function sendDigest(deps: Deps, channelName: string): Promise<DigestOutcome> {
  const { db, config } = deps;
  let now = deps.clock();
  const staleBefore = new Date(now.getTime() - config.delivery.leaseMs);

  const claim = await db.transaction().execute(async (trx) => {
    // The channel lock serialises digest building for the channel across notifier processes.
    const cs = await lockChannelState(trx, channelName);
    // After the lock: the send time we record must be when we really go.
    now = deps.clock();
    let digest;
    let items: { alertId: string; level: number }[] = [];
    let emptied = 0;
    for (;;) {
      digest = (await findResumableDigest(trx, channelName, now, staleBefore)) ?? (await createDigestFromDue(trx, channelName, now));
      if (!digest) return { outcome: emptied ? ('cancelled' as const) : ('nothing' as const) };
      items = await digestAlertIds(trx, digest.id);
      if (items.length) break;
      // Everything in it was handled meanwhile: a final state with the reason, no message, no channel slot.
      await updateDigest(trx, digest.id, { state: 'cancelled', alert_count: 0, last_error: EMPTY_DIGEST_REASON }, now);
      deps.log.child({ name: 'notifier', channel: channelName, digestId: digest.id }).info('digest not sent: its alerts were all acknowledged or resolved');
      emptied++;
    }
    const channel = await loadChannel(trx, channelName);
    // After the channel's reserved individual sends and its pause, and never closer than the interval to the last message.
    const interval = channelIntervalMs(channel, deps);
    const earliest = Math.max(cs.next_send_at.getTime(), cs.last_send_at ? cs.last_send_at.getTime() + interval : 0, pausedUntil(cs, now)?.getTime() ?? 0);
    if (earliest > now.getTime()) {
      const at = new Date(earliest);
      await updateDigest(trx, digest.id, { state: 'pending', next_attempt_at: at }, now);
      await addJob(trx, 'send_digest', { channel: channelName }, { runAt: at, jobKey: digestJobKey(channelName, 'next') });
      return { outcome: 'deferred' as const };
    }
    const { probe, patch: hold } = probeHold(cs, now, deps);
    await updateChannelState(trx, channelName, { next_send_at: new Date(now.getTime() + interval), last_send_at: now, ...hold });
    const attempt = digest.attempts + 1;
    await updateDigest(trx, digest.id, { state: 'sending', attempts: attempt, alert_count: items.length }, now);
    return { outcome: 'send' as const, digest, items, attempt, channel, probe };
  });
  if (claim.outcome !== 'send') return claim.outcome;

  const { digest, items, attempt, channel, probe } = claim;
  const log = deps.log.child({ name: 'notifier', channel: channelName, host: channel ? channelHost(channel) : null, digestId: digest.id, attempt });
  const views = await loadViews(db, items, now);
  const result = !channel
    ? { ok: false as const, permanent: true, error: `channel "${channelName}" is not configured: add it to the config file or /v1/admin/channels, then \`replywatch alerts retry --dead\``, code: 'UNKNOWN_CHANNEL' }
    : await sendToChannel(channel, { type: 'digest', digest: { id: digest.id, channel: channelName, reason: digest.reason }, alerts: views }, { publicUrl: config.publicUrl, delivery: config.delivery, log, now });
  const done = deps.clock();

  return db.transaction().execute(async (trx) => {
    const guard = { state: 'sending', attempts: attempt };
    const paused = await settleChannel(trx, deps, channelName, result, probe, done, log);
    if (result.ok) {
      const marked = await updateDigest(trx, digest.id, { state: 'sent', sent_at: done, last_error: null }, done, guard);
      await recordAttempt(trx, { deliveryId: digest.id, attempt, outcome: marked ? 'sent' : 'resent', status: result.status, at: now });
      if (marked) {
        await settleDigestDeliveries(trx, digest.id, 'sent', done);
        log.info({ alerts: views.length, reason: digest.reason }, 'digest delivered');
      }
      // More than one digest's worth may be due (a long outage); keep going.
      if (await hasDueDigestWork(trx, channelName, done)) await addJob(trx, 'send_digest', { channel: channelName }, { jobKey: digestJobKey(channelName, 'next') });
      return 'sent';
    }
    const dead = result.permanent || attempt >= config.delivery.maxAttempts;
    await recordAttempt(trx, { deliveryId: digest.id, attempt, outcome: result.code === 'RATE_LIMITED' ? 'rate_limited' : 'failed', status: result.status, error: result.error, at: now });
    if (dead) {
      if (await updateDigest(trx, digest.id, { state: 'dead', last_error: result.error }, done, guard)) await settleDigestDeliveries(trx, digest.id, 'dead', done, result.error);
      log.error({ code: result.code, error: result.error }, 'digest gave up; `replywatch alerts retry --dead` requeues its alerts');
      return 'dead';
    }
    const next = paused ?? new Date(done.getTime() + (result.retryAfterMs ?? backoffMs(attempt, config.delivery.retryBaseMs, config.delivery.retryMaxMs)));
    const delay = next.getTime() - done.getTime();
    if (await updateDigest(trx, digest.id, { state: 'pending', last_error: result.error, next_attempt_at: next }, done, guard)) {
      await addJob(trx, 'send_digest', { channel: channelName }, { runAt: next, jobKey: digestJobKey(channelName, 'retry') });
    }
    log.warn({ code: result.code, error: result.error, retryInMs: delay }, 'digest failed; will retry');
    return 'retry';
  });
}
