// Owns the graphile-worker job keys of the notifier, so re-adding a job replaces it instead of doubling it.
export const deliverJobKey = (deliveryRowId: string) => `deliver_alert:${deliveryRowId}`;
export const digestJobKey = (channel: string, windowOrOpening: Date | string) =>
  `send_digest:${channel}:${typeof windowOrOpening === 'string' ? windowOrOpening : windowOrOpening.toISOString()}`;
export const escalateJobKey = (alertId: string, route: string) => `escalate_alert:${alertId}:${route}`;
