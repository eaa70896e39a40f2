// Owns the API's reads of watched handles with their live status: last poll, open and waiting cases, health.
import { sql, type SqlBool } from 'kysely';
import type { Db } from './connect.ts';

function handleColumns(db: Db) {
  return db
    .selectFrom('handles as h')
    .innerJoin('teams as t', 't.id', 'h.team_id')
    .leftJoin('policies as p', (j) => j.on(sql<SqlBool>`p.id = coalesce(t.policy_id, h.policy_id)`))
    .leftJoin('calendars as cal', (j) => j.on(sql<SqlBool>`cal.id = coalesce(h.calendar_id, t.calendar_id)`))
    .select([
      'h.id',
      'h.handle',
      'h.x_user_id',
      't.name as team',
      'p.name as policy',
      'p.settings as policy_settings',
      'cal.name as calendar',
      'h.active',
      'h.health',
      'h.health_detail',
      'h.last_polled_at',
      'h.last_brand_tweet_at',
    ]);
}

export async function listHandleStatus(db: Db, scopeTeamId: number | null, team?: string) {
  let query = handleColumns(db)
    // One grouped pass over open cases (index cases_handle_state) instead of a count per handle.
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('cases')
          .select([
            'handle_id',
            (e) => e.fn.countAll<string>().as('open_cases'),
            sql<string>`count(*) filter (where awaiting_since is not null)`.as('waiting'),
            (e) => e.fn.min('awaiting_since').as('oldest_waiting_since'),
          ])
          .where('state', '=', 'open')
          .groupBy('handle_id')
          .as('oc'),
      (j) => j.onRef('oc.handle_id', '=', 'h.id'),
    )
    .select(['oc.open_cases', 'oc.waiting', 'oc.oldest_waiting_since']);
  if (scopeTeamId !== null) query = query.where('h.team_id', '=', scopeTeamId);
  if (team) query = query.where('t.name', '=', team);
  const rows = await query.orderBy('h.handle').execute();
  return rows.map((r) => ({ ...r, open_cases: Number(r.open_cases ?? 0), waiting: Number(r.waiting ?? 0) }));
}

export async function findHandle(db: Db, handle: string, scopeTeamId: number | null) {
  let query = handleColumns(db).where(sql<SqlBool>`lower(h.handle) = lower(${handle})`);
  if (scopeTeamId !== null) query = query.where('h.team_id', '=', scopeTeamId);
  return query.executeTakeFirst();
}
