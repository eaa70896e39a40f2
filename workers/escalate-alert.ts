// Owns the `escalate_alert` job: sends an unacknowledged alert to its route's escalation channels.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import { escalateAlert } from '../src/alerts/escalate.ts';

export function escalateAlertTask(deps: Deps): Task {
  return async (payload) => {
    const { alertId, route } = payload as { alertId: string | number; route: string };
    await escalateAlert(deps, String(alertId), route);
  };
}
