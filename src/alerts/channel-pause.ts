// Owns pausing a channel: a 429 or 503 holds every send queued for that channel until the pause ends; then one
// message goes alone (a probe) and the others follow once it has an answer.
//
// Per-delivery backoff alone would let each queued delivery hit a rate-limited or unavailable endpoint on its own
// schedule, and send them all together when the pause ends. The pause lives on the channel's `channel_state` row,
// shared by every notifier process, and waiting for it costs a delivery no attempt.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import type { Logger } from '../log.ts';
import { addJob } from '../db/jobs.ts';
import { addJobsBulk } from '../db/deadline-jobs.repository.ts';
import { listChannelReports, lockChannelState, updateChannelState, wakeChannelWaiters, type ChannelReport, type ChannelState } from '../db/delivery.repository.ts';
import { backoffMs } from './backoff.ts';
import type { SendResult } from './channel-send.ts';
import { deliverJobKey, digestJobKey } from './job-keys.ts';

/** When the channel is paused at `now`, the end of the pause; else null. */
export function pausedUntil(cs: ChannelState, now: Date): Date | null {
  return cs.paused_until && cs.paused_until.getTime() > now.getTime() ? cs.paused_until : null;
}

/**
 * A send that may go now while the channel recovers from a pause is a probe: it holds the channel for one lease
 * (DELIVERY_LEASE_MS, so a notifier killed mid-probe frees it) and the others wait for its answer.
 * Returns the channel-state patch to apply with the send, and whether this send is a probe.
 */
export function probeHold(cs: ChannelState, now: Date, deps: Pick<Deps, 'config'>): { probe: boolean; patch: Partial<ChannelState> } {
  if (cs.pause_failures === 0) return { probe: false, patch: {} };
  return { probe: true, patch: { paused_until: new Date(now.getTime() + deps.config.delivery.leaseMs) } };
}

/** 429 (rate limited) and 503 (unavailable) speak for the whole endpoint, not for one message. */
export function pausesChannel(result: SendResult): boolean {
  return !result.ok && (result.status === 429 || result.status === 503);
}

/**
 * Applies a send's outcome to its channel, in the transaction that records the send. A 429 or 503 (or any retryable
 * failure of a probe) pauses the channel for Retry-After, else for a backoff that grows with consecutive pauses; a
 * probe that got an answer ends the pause and wakes the deliveries and digest waiting for it.
 * Returns the end of the pause when the channel is paused now (the failed send waits for it too), else null.
 */
export async function settleChannel(
  trx: Kysely<Database>,
  deps: Pick<Deps, 'config'>,
  channel: string,
  result: SendResult,
  probe: boolean,
  done: Date,
  log: Logger,
): Promise<Date | null> {
  const retryable = !result.ok && !result.permanent;
  if (retryable && (pausesChannel(result) || probe)) {
    const cs = await lockChannelState(trx, channel);
    const failures = cs.pause_failures + 1;
    const { retryBaseMs, retryMaxMs } = deps.config.delivery;
    const delay = result.retryAfterMs ?? backoffMs(failures, retryBaseMs, retryMaxMs);
    // A probe's own hold is replaced; another send's longer pause (a bigger Retry-After) is kept.
    const keep = !probe && cs.paused_until ? cs.paused_until.getTime() : 0;
    const until = new Date(Math.max(done.getTime() + delay, keep));
    await updateChannelState(trx, channel, { paused_until: until, pause_failures: failures, pause_reason: result.error });
    log.warn(
      { code: result.code, status: result.status, pausedUntil: until.toISOString(), pauseMs: until.getTime() - done.getTime(), consecutivePauses: failures },
      'channel paused: queued alerts for it wait, then one goes first to test it; see `replywatch alerts channels`',
    );
    return until;
  }
  if (probe && (result.ok || !retryable)) {
    const cs = await lockChannelState(trx, channel);
    if (cs.pause_failures === 0) return null;
    await updateChannelState(trx, channel, { paused_until: null, pause_failures: 0, pause_reason: null });
    const woken = await wakeChannelWaiters(trx, channel, cs.paused_until ?? done, done);
    await addJobsBulk(trx, woken.deliveryIds.map((id) => ({ task: 'deliver_alert', payload: { deliveryId: id }, runAt: done, jobKey: deliverJobKey(id) })));
    if (woken.digest) await addJob(trx, 'send_digest', { channel }, { jobKey: digestJobKey(channel, 'next') });
    log.info({ released: woken.deliveryIds.length, digest: woken.digest }, 'channel answered again; pause over, queued alerts follow');
  }
  return null;
}

export { listChannelReports, type ChannelReport };

/**
 * One line per channel for `replywatch alerts channels`: whether it is paused and why, what waits for it, and what
 * will not go out (dead: gave up, `alerts retry --dead`; cancelled: acknowledged or resolved before it was sent).
 */
export function formatChannelReport(r: ChannelReport, now: Date): string {
  const paused = r.paused_until && r.paused_until.getTime() > now.getTime();
  const status = paused
    ? `PAUSED until ${r.paused_until!.toISOString()} (${r.pause_failures} in a row): ${r.pause_reason ?? ''}`
    : r.pause_failures > 0
      ? `RECOVERING: the next send tests it (last: ${r.pause_reason ?? ''})`
      : 'ok';
  const c = (state: string) => r.counts[state] ?? 0;
  const waiting = c('pending') + c('ready') + c('sending');
  return [r.channel, r.type ?? '(not configured)', status, `waiting ${waiting}`, `held ${c('held')}`, `in digest ${c('digest')}`, `dead ${c('dead')}`, `cancelled ${c('cancelled')}`, `last sent ${r.last_send_at?.toISOString() ?? 'never'}`].join('\t');
}
