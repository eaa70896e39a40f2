// Owns the notifier role: the delivery, digest and escalation jobs, and the loop that recovers work from crashed notifiers.
import type { WorkerModule } from './registry.ts';
import { deliverAlertTask } from './deliver-alert.ts';
import { sendDigestTask } from './send-digest.ts';
import { escalateAlertTask } from './escalate-alert.ts';
import { requeueStale } from '../src/alerts/recover.ts';

export const notifier: WorkerModule = {
  role: 'notifier',
  tasks: (deps) => ({
    deliver_alert: deliverAlertTask(deps),
    send_digest: sendDigestTask(deps),
    escalate_alert: escalateAlertTask(deps),
  }),
  start: async (deps) => {
    const log = deps.log.child({ name: 'notifier' });
    // Half a lease: an abandoned send is picked up between one and one and a half leases after it started.
    const every = Math.max(200, Math.floor(deps.config.delivery.leaseMs / 2));
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = requeueStale(deps).catch((err) => log.error({ err }, 'recovering stale deliveries failed'));
    };
    tick();
    const timer = setInterval(tick, every);
    return async () => {
      clearInterval(timer);
      await running;
    };
  },
};
