// Owns the API's reads of cases: filtered keyset pages (newest opened first, or waiting cases by time left) and one case's timeline.
import { sql, type SqlBool, type RawBuilder } from 'kysely';
import type { Db } from './connect.ts';
import { handleNamed, handleOfTeam, handleOfTeamNamed } from './team-scope.ts';

export interface CaseQuery {
  scopeTeamId: number | null;
  handle?: string;
  team?: string;
  state?: string[];
  customer?: string;
  from?: Date;
  to?: Date;
  flag?: string[];
  sort: 'opened' | 'due';
  after?: { key: string; id: string };
  limit: number;
}

/**
 * When the case's current wait hits its target on the wall clock: awaiting_since plus the first- or
 * next-response target of the policy in force (the team's override, else the handle's). Business-hour
 * policies can be later than this; the analyzer's deadline jobs hold the exact time.
 */
const dueAt: RawBuilder<Date> = sql<Date>`(c.awaiting_since + (coalesce(
  (p.settings->>(case when c.first_brand_at is null then 'firstResponseMinutes' else 'nextResponseMinutes' end))::double precision, 60)
  * interval '1 minute'))`;

function caseColumns(db: Db) {
  return db
    .selectFrom('cases as c')
    .innerJoin('handles as h', 'h.id', 'c.handle_id')
    .innerJoin('teams as t', 't.id', 'h.team_id')
    .leftJoin('policies as p', (j) => j.on(sql<SqlBool>`p.id = coalesce(t.policy_id, h.policy_id)`))
    .select([
      'c.id',
      'h.handle',
      't.name as team',
      'c.customer_id',
      'c.customer_username',
      'c.opening_tweet_id',
      'c.opened_at',
      'c.state',
      'c.closed_at',
      'c.close_reason',
      'c.first_customer_at',
      'c.last_customer_at',
      'c.first_brand_at',
      'c.last_brand_at',
      'c.awaiting_since',
      'c.first_response_seconds',
      'c.first_response_business_seconds',
      'c.next_response_seconds',
      'c.next_response_business_seconds',
      'c.customer_tweets',
      'c.brand_replies',
      'c.nudges',
      'c.complaint_score',
      'c.flags',
      'c.summary',
      'p.name as policy',
      sql<Date | null>`case when c.state = 'open' and c.awaiting_since is not null then ${dueAt} end`.as('due_at'),
    ]);
}

export async function listCases(db: Db, q: CaseQuery) {
  const sortExpr = q.sort === 'due' ? dueAt : sql<Date>`c.opened_at`;
  let query = caseColumns(db).select(sql<string>`${sortExpr}::text`.as('sort_key'));
  if (q.scopeTeamId !== null) query = query.where(handleOfTeam('c.handle_id', q.scopeTeamId));
  if (q.handle) query = query.where(handleNamed('c.handle_id', q.handle));
  if (q.team) query = query.where(handleOfTeamNamed('c.handle_id', q.team));
  if (q.state?.length) query = query.where('c.state', 'in', q.state);
  if (q.customer) {
    const customer = q.customer.replace(/^@/, '');
    query = query.where((eb) => eb.or([eb('c.customer_id', '=', customer), eb(eb.fn('lower', ['c.customer_username']), '=', customer.toLowerCase())]));
  }
  if (q.from) query = query.where('c.opened_at', '>=', q.from);
  if (q.to) query = query.where('c.opened_at', '<', q.to);
  if (q.flag?.length) query = query.where(sql<SqlBool>`c.flags @> ${sql.val(q.flag)}::text[]`);
  if (q.sort === 'due') {
    // Only a waiting case has time left; the soonest due comes first.
    query = query.where('c.state', '=', 'open').where('c.awaiting_since', 'is not', null);
    if (q.after) query = query.where(sql<SqlBool>`(${dueAt}, c.id) > (${q.after.key}::timestamptz, ${q.after.id}::bigint)`);
    return query.orderBy(dueAt, 'asc').orderBy('c.id', 'asc').limit(q.limit + 1).execute();
  }
  if (q.after) query = query.where(sql<SqlBool>`(c.opened_at, c.id) < (${q.after.key}::timestamptz, ${q.after.id}::bigint)`);
  return query.orderBy('c.opened_at', 'desc').orderBy('c.id', 'desc').limit(q.limit + 1).execute();
}

export async function getCase(db: Db, id: string, scopeTeamId: number | null) {
  let query = caseColumns(db).where('c.id', '=', id);
  if (scopeTeamId !== null) query = query.where(handleOfTeam('c.handle_id', scopeTeamId));
  return query.executeTakeFirst();
}

/** Every tweet of the case in time order, with how it was classified and why. */
export async function caseTweets(db: Db, caseId: string) {
  return db
    .selectFrom('tweet_classifications as tc')
    .innerJoin('tweets as tw', 'tw.id', 'tc.tweet_id')
    .select([
      'tw.id',
      'tw.author_id',
      'tw.author_username',
      'tw.text',
      'tw.created_at',
      'tw.in_reply_to_tweet_id',
      'tc.role',
      'tc.kind',
      'tc.complaint_score',
      'tc.flags',
      'tc.reasons',
    ])
    .where('tc.case_id', '=', caseId)
    .orderBy('tw.created_at')
    .orderBy('tw.id')
    .execute();
}
