// Owns acknowledging and resolving an alert: the state change, the removal of its pending escalation jobs and the
// cancelling of its unsent deliveries commit together.
//
// `escalate_alert` still re-checks the alert under its row lock when it runs (a job already running, or one keyed by
// a route that was renamed since, is not removed here); removing the jobs keeps the queue honest for operators
// and spares a run that would only find the alert acknowledged.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { ackAlert, loadRoutes, resolveAlert } from '../db/alert.repository.ts';
import { removeJobs } from '../db/jobs.ts';
import { cancelWaitingDeliveries } from '../db/delivery.repository.ts';
import { escalateJobKey } from './job-keys.ts';

type AlertRow = Awaited<ReturnType<typeof ackAlert>>;

function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Removes the pending `escalate_alert` jobs of these alerts (one per escalating route) in the caller's transaction. */
export async function stopEscalation(trx: Kysely<Database>, alertIds: string[]): Promise<void> {
  if (!alertIds.length) return;
  const routes = (await loadRoutes(trx)).filter((r) => r.escalate);
  await removeJobs(trx, alertIds.flatMap((id) => routes.map((r) => escalateJobKey(id, r.name))));
}

/** Someone handled the alert (`handled`: "acknowledged by X"): no escalation, and its unsent deliveries are left out. */
async function stopNotifying(trx: Kysely<Database>, alertId: string, handled: string, at: Date): Promise<void> {
  await stopEscalation(trx, [alertId]);
  await cancelWaitingDeliveries(trx, alertId, `${handled} before it was sent`, at);
}

/**
 * Acknowledges an alert, cancels its escalation, and leaves its unsent deliveries out: someone is on it, so the morning
 * digest or a paced message would only page people about what is already handled. Returns the alert after the
 * change, or undefined if unknown.
 */
export async function ackAndStopEscalation(db: Kysely<Database>, id: string, by: string, at: Date): Promise<AlertRow> {
  return inTransaction(db, async (trx) => {
    const row = await ackAlert(trx, id, by, at);
    if (row && (row.acknowledged_at || row.resolved_at)) await stopNotifying(trx, row.id, `acknowledged by ${row.acknowledged_by ?? by}`, at);
    return row;
  });
}

/** Resolves an alert, cancels its escalation and leaves its unsent deliveries out. Returns the alert, or undefined if unknown. */
export async function resolveAndStopEscalation(db: Kysely<Database>, id: string, by: string, resolution: string | null, at: Date): Promise<AlertRow> {
  return inTransaction(db, async (trx) => {
    const row = await resolveAlert(trx, id, by, resolution, at);
    if (row?.resolved_at) await stopNotifying(trx, row.id, `resolved by ${row.resolved_by ?? by}`, at);
    return row;
  });
}
