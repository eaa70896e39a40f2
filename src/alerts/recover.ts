// Owns recovery after a crash: re-queues deliveries and digests whose job died with a notifier (same delivery id).
import type { Deps } from '../deps.ts';
import { addJob } from '../db/jobs.ts';
import { findStaleWork, listDeadDeliveries, requeueDeadDeliveries } from '../db/delivery.repository.ts';
import { deliverJobKey, digestJobKey } from './job-keys.ts';

/**
 * graphile-worker keeps a job locked by a killed process for hours; the delivery row's lease is much shorter.
 * A new job with the same key detaches from the dead lock, and the delivery re-sends with its delivery id.
 */
export async function requeueStale(deps: Deps): Promise<{ deliveries: number; digestChannels: number }> {
  const now = deps.clock();
  const stale = await findStaleWork(deps.db, new Date(now.getTime() - deps.config.delivery.leaseMs));
  if (!stale.deliveryIds.length && !stale.digestChannels.length) return { deliveries: 0, digestChannels: 0 };
  await deps.db.transaction().execute(async (trx) => {
    for (const id of stale.deliveryIds) await addJob(trx, 'deliver_alert', { deliveryId: id }, { jobKey: deliverJobKey(id) });
    for (const channel of stale.digestChannels) await addJob(trx, 'send_digest', { channel }, { jobKey: digestJobKey(channel, 'recover') });
  });
  deps.log.child({ name: 'notifier' }).warn({ deliveries: stale.deliveryIds.length, digestChannels: stale.digestChannels.length }, 're-queued deliveries left behind by a stopped notifier');
  return { deliveries: stale.deliveryIds.length, digestChannels: stale.digestChannels.length };
}

/** Requeues dead deliveries (all, or the given row ids) with a fresh attempt budget; returns how many. */
export async function retryDead(deps: Pick<Deps, 'db' | 'clock'>, ids?: string[]): Promise<number> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const requeued = await requeueDeadDeliveries(trx, now, ids);
    for (const id of requeued) await addJob(trx, 'deliver_alert', { deliveryId: id }, { jobKey: deliverJobKey(id) });
    return requeued.length;
  });
}

export { listDeadDeliveries };
