// Owns the `deliver_alert` job: one delivery row (alert x channel x level) sent through its channel.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import { deliverOne } from '../src/alerts/deliver.ts';

export function deliverAlertTask(deps: Deps): Task {
  return async (payload) => {
    const { deliveryId } = payload as { deliveryId: string | number };
    await deliverOne(deps, String(deliveryId));
  };
}
