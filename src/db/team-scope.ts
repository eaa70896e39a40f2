// Owns the rule that decides which team a row belongs to: the team its handle belongs to now.
import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * `handle_id in (handles of the team)`. A token limited to a team and a `team=` filter both use it,
 * so a row a token cannot see is the same row the filter would exclude (404, never 403).
 */
export function handleOfTeam(column: string, teamId: number): Expression<SqlBool> {
  // Raw SQL: the column is chosen by the caller across tables, which Kysely's typed builder cannot express generically.
  return sql<SqlBool>`${sql.ref(column)} in (select h.id from handles h where h.team_id = ${teamId})`;
}

export function handleNamed(column: string, handle: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} = (select h.id from handles h where lower(h.handle) = lower(${handle}))`;
}

export function teamNamed(name: string): Expression<number> {
  return sql<number>`(select t.id from teams t where t.name = ${name})`;
}

export function handleOfTeamNamed(column: string, team: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} in (select h.id from handles h join teams t on t.id = h.team_id where t.name = ${team})`;
}
