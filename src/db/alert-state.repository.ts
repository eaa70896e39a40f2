// Owns acknowledging and resolving alerts from the API (the notifier reads `state` to stop escalating).
import type { Db } from './connect.ts';
import { AppError } from '../errors.ts';

export type AlertTransition = 'ack' | 'resolve';

/**
 * Moves an alert on. Acknowledging an acknowledged alert, or resolving a resolved one, changes nothing and
 * succeeds, so a retried request is safe. Acknowledging a resolved alert is a conflict.
 * Returns false when the alert does not exist.
 */
export async function transitionAlert(db: Db, id: string, action: AlertTransition, by: string, now: Date, note?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('alerts').select(['id', 'state']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return false;
    if (action === 'ack') {
      if (row.state === 'resolved') throw new AppError('ALERT_RESOLVED', `alert ${id} is already resolved; there is nothing to acknowledge`, 409);
      if (row.state === 'acknowledged') return true;
      await trx.updateTable('alerts').set({ state: 'acknowledged', acknowledged_at: now, acknowledged_by: by, updated_at: now }).where('id', '=', id).execute();
      return true;
    }
    if (row.state === 'resolved') return true;
    await trx
      .updateTable('alerts')
      .set({ state: 'resolved', resolved_at: now, resolved_by: by, resolution: note ?? 'resolved through the API', updated_at: now })
      .where('id', '=', id)
      .execute();
    return true;
  });
}
