// Owns the API's reads of alerts: filtered keyset pages (newest first) and single alerts, limited to a team when asked.
import { sql, type SqlBool, type Expression } from 'kysely';
import type { Db } from './connect.ts';
import { handleNamed, handleOfTeam, handleOfTeamNamed } from './team-scope.ts';

export interface AlertQuery {
  /** The caller's team (team-scoped token); null sees all. */
  scopeTeamId: number | null;
  handle?: string;
  team?: string;
  kind?: string[];
  severity?: string[];
  state?: string[];
  since?: Date;
  until?: Date;
  after?: { key: string; id: string };
  limit: number;
}

function alertColumns(db: Db) {
  return db
    .selectFrom('alerts as a')
    .leftJoin('handles as h', 'h.id', 'a.handle_id')
    .leftJoin('teams as t', (j) => j.on(sql<SqlBool>`t.id = coalesce(h.team_id, a.team_id)`))
    .select([
      'a.id',
      'a.kind',
      'a.severity',
      'a.state',
      'h.handle',
      't.name as team',
      'a.case_id',
      'a.tweet_id',
      'a.title',
      'a.reasons',
      'a.details',
      'a.due_at',
      'a.raised_at',
      'a.acknowledged_at',
      'a.acknowledged_by',
      'a.resolved_at',
      'a.resolved_by',
      'a.resolution',
      // The cursor needs the timestamp with its microseconds; a JS Date would drop them and repeat rows.
      sql<string>`a.raised_at::text`.as('sort_key'),
    ]);
}

export type AlertView = Awaited<ReturnType<typeof getAlert>> & {};

/** Alerts without a handle (team-wide ones) belong to their team_id. */
function inTeam(teamId: number): Expression<SqlBool> {
  return sql<SqlBool>`(${handleOfTeam('a.handle_id', teamId)} or (a.handle_id is null and a.team_id = ${teamId}))`;
}

export async function listAlerts(db: Db, q: AlertQuery) {
  let query = alertColumns(db);
  if (q.scopeTeamId !== null) query = query.where(inTeam(q.scopeTeamId));
  if (q.handle) query = query.where(handleNamed('a.handle_id', q.handle));
  if (q.team) query = query.where(sql<SqlBool>`(${handleOfTeamNamed('a.handle_id', q.team)} or (a.handle_id is null and a.team_id = (select id from teams where name = ${q.team})))`);
  if (q.kind?.length) query = query.where('a.kind', 'in', q.kind);
  if (q.severity?.length) query = query.where('a.severity', 'in', q.severity);
  if (q.state?.length) query = query.where('a.state', 'in', q.state);
  if (q.since) query = query.where('a.raised_at', '>=', q.since);
  if (q.until) query = query.where('a.raised_at', '<', q.until);
  // Row comparison keeps the walk on the (raised_at, id) index; rows inserted later sort before the cursor, so none is skipped or repeated.
  if (q.after) query = query.where(sql<SqlBool>`(a.raised_at, a.id) < (${q.after.key}::timestamptz, ${q.after.id}::bigint)`);
  return query.orderBy('a.raised_at', 'desc').orderBy('a.id', 'desc').limit(q.limit + 1).execute();
}

export async function getAlert(db: Db, id: string, scopeTeamId: number | null) {
  let query = alertColumns(db).where('a.id', '=', id);
  if (scopeTeamId !== null) query = query.where(inTeam(scopeTeamId));
  return query.executeTakeFirst();
}

export async function alertsForCase(db: Db, caseId: string) {
  return alertColumns(db).where('a.case_id', '=', caseId).orderBy('a.raised_at').orderBy('a.id').execute();
}
