// Owns the API's reads of the breach event log: filtered keyset pages by due time (newest first), limited to a team when asked.
import { sql, type SqlBool } from 'kysely';
import type { Db } from './connect.ts';
import { handleNamed, handleOfTeam, handleOfTeamNamed } from './team-scope.ts';

export interface BreachQuery {
  scopeTeamId: number | null;
  handle?: string;
  team?: string;
  metric?: string[];
  from?: Date;
  to?: Date;
  caseId?: string;
  after?: { key: string; id: string };
  limit: number;
}

function breachColumns(db: Db) {
  return db
    .selectFrom('breaches as b')
    .innerJoin('handles as h', 'h.id', 'b.handle_id')
    .innerJoin('teams as t', 't.id', 'h.team_id')
    .innerJoin('cases as c', 'c.id', 'b.case_id')
    .select([
      'b.id',
      'b.case_id',
      'h.handle',
      't.name as team',
      'c.customer_id',
      'c.customer_username',
      'b.metric',
      'b.sequence',
      'b.policy',
      'b.clock',
      'b.target_seconds',
      'b.started_at',
      'b.due_at',
      'b.answered_at',
      'b.actual_seconds',
      'b.actual_business_seconds',
      'b.over_by_seconds',
      'b.alert_id',
      sql<string>`b.due_at::text`.as('sort_key'),
    ]);
}

export async function listBreaches(db: Db, q: BreachQuery) {
  let query = breachColumns(db);
  if (q.scopeTeamId !== null) query = query.where(handleOfTeam('b.handle_id', q.scopeTeamId));
  if (q.handle) query = query.where(handleNamed('b.handle_id', q.handle));
  if (q.team) query = query.where(handleOfTeamNamed('b.handle_id', q.team));
  if (q.metric?.length) query = query.where('b.metric', 'in', q.metric);
  if (q.from) query = query.where('b.due_at', '>=', q.from);
  if (q.to) query = query.where('b.due_at', '<', q.to);
  if (q.caseId) query = query.where('b.case_id', '=', q.caseId);
  if (q.after) query = query.where(sql<SqlBool>`(b.due_at, b.id) < (${q.after.key}::timestamptz, ${q.after.id}::bigint)`);
  return query.orderBy('b.due_at', 'desc').orderBy('b.id', 'desc').limit(q.limit + 1).execute();
}

export async function breachesForCase(db: Db, caseId: string) {
  return breachColumns(db).where('b.case_id', '=', caseId).orderBy('b.due_at').orderBy('b.id').execute();
}
