// Owns escalation: an alert nobody acknowledged within the route's time also goes to the route's escalation channels.
import type { Deps } from '../deps.ts';
import { addJob } from '../db/jobs.ts';
import { loadRoutes, loadRoutingContext, markAlertEscalated } from '../db/alert.repository.ts';
import { insertDelivery } from '../db/delivery.repository.ts';
import { deliverJobKey } from './job-keys.ts';

export type EscalateOutcome = 'escalated' | 'acknowledged' | 'gone';

export async function escalateAlert(deps: Deps, alertId: string, routeName: string): Promise<EscalateOutcome> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    // The row lock orders us against a concurrent ack: whichever commits first wins.
    const ctx = await loadRoutingContext(trx, alertId, { lock: true });
    if (!ctx) return 'gone';
    if (ctx.acknowledged) return 'acknowledged';
    const route = (await loadRoutes(trx)).find((r) => r.name === routeName);
    if (!route?.escalate) return 'gone';
    const level = ctx.escalationLevel + 1;
    for (const channel of route.escalate.channels) {
      const id = await insertDelivery(trx, { alertId, channel, level, route: route.name, state: 'pending', nextAttemptAt: now });
      if (id) await addJob(trx, 'deliver_alert', { deliveryId: id }, { jobKey: deliverJobKey(id) });
    }
    await markAlertEscalated(trx, alertId, level, now);
    deps.log.child({ name: 'notifier' }).info({ alertId, route: routeName, channels: route.escalate.channels, level }, 'alert escalated (not acknowledged in time)');
    return 'escalated';
  });
}
