// Owns reading and updating watched handles: X user ids, poll health, and handles created on the fly by replay.
import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { HandleRow } from './schema.ts';

export type HandleHealth = 'ok' | 'unauthorized' | 'forbidden' | 'not_found' | 'usage_capped' | 'degraded' | 'budget_exhausted';

/** Health states that stop polling until an operator (or a restart) clears them. */
export const STOPPED_HEALTH: readonly string[] = ['unauthorized', 'forbidden', 'not_found'];

export async function getHandle(db: Db, id: number): Promise<HandleRow | undefined> {
  return db.selectFrom('handles').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listActiveHandles(db: Db): Promise<HandleRow[]> {
  return db.selectFrom('handles').selectAll().where('active', '=', true).orderBy('id').execute();
}

export async function setXUserId(db: Db, id: number, xUserId: string): Promise<void> {
  await db.updateTable('handles').set({ x_user_id: xUserId, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function setHealth(db: Db, id: number, health: HandleHealth, detail: string | null): Promise<void> {
  await db.updateTable('handles').set({ health, health_detail: detail, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function markPolled(db: Db, id: number, at: Date): Promise<void> {
  await db.updateTable('handles').set({ last_polled_at: at, health: 'ok', health_detail: null }).where('id', '=', id).execute();
}

/** Clears stopped states so a restart (perhaps with a new token) tries those handles once more. */
export async function resetStoppedHealth(db: Db): Promise<number> {
  const res = await db
    .updateTable('handles')
    .set({ health: 'ok', health_detail: null, updated_at: new Date() })
    .where('health', 'in', [...STOPPED_HEALTH])
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Returns the ids of these usernames (case-insensitive), creating the missing ones in the first team
 * with the `default` policy. Replay uses it for brand authors that are not configured.
 */
export async function ensureHandles(db: Db, usernames: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!usernames.length) return out;
  const lower = [...new Set(usernames.map((u) => u.toLowerCase()))];
  const find = () =>
    db.selectFrom('handles').select(['id', 'handle']).where((eb) => eb(eb.fn('lower', ['handle']), 'in', lower)).execute();
  let rows = await find();
  const missing = lower.filter((l) => !rows.some((r) => r.handle.toLowerCase() === l));
  if (missing.length) {
    const team = await db.selectFrom('teams').select('id').orderBy('id').executeTakeFirst();
    const policy = await db.selectFrom('policies').select('id').where('name', '=', 'default').executeTakeFirst();
    if (!team || !policy) throw new Error('no team or no "default" policy in the database; run `replywatch migrate` to seed the config');
    const values = usernames
      .filter((u, i, all) => missing.includes(u.toLowerCase()) && all.findIndex((x) => x.toLowerCase() === u.toLowerCase()) === i)
      .map((handle) => ({ handle, team_id: team.id, policy_id: policy.id, vip: '[]' }));
    // Raw sql: the conflict target is an expression index. Another replay or the config seeder may create the same handle concurrently: the unique index on lower(handle) settles it.
    await db.insertInto('handles').values(values).onConflict((oc) => oc.expression(sql`lower(handle)`).doNothing()).execute();
    rows = await find();
  }
  for (const u of usernames) {
    const row = rows.find((r) => r.handle.toLowerCase() === u.toLowerCase());
    if (row) out.set(u, row.id);
  }
  return out;
}
