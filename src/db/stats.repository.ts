// Owns the API's aggregate reads: a handle's scorecard over a period and first-response latency per time bucket, on either clock.
import { sql, type SqlBool } from 'kysely';
import type { Db } from './connect.ts';
import { DEFLECTING_KINDS, PERSONALITY_FLAGS } from '../domain/types.ts';

export interface Period {
  from: Date;
  to: Date;
}

export interface PolicyTargets {
  firstResponseSeconds: number;
  clock: 'business' | 'wall';
  dmCountsAsDeflection: boolean;
}

export function policyTargets(settings: Record<string, unknown> | null | undefined): PolicyTargets {
  const s = settings ?? {};
  return {
    firstResponseSeconds: (typeof s.firstResponseMinutes === 'number' ? s.firstResponseMinutes : 60) * 60,
    clock: s.clock === 'business' ? 'business' : 'wall',
    dmCountsAsDeflection: s.dmCountsAsDeflection === true,
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The three review criteria for one handle, over the cases opened in the period.
 * Raw SQL throughout: percentile_cont(...) within group and count(*) filter have no Kysely builder.
 */
export async function scorecard(db: Db, handleId: number, period: Period, targets: PolicyTargets) {
  // Business-clock policies are judged on business seconds when the analyzer recorded them.
  const wait = targets.clock === 'business' ? sql`coalesce(first_response_business_seconds, first_response_seconds)` : sql`first_response_seconds`;
  // A case is due once answered, or once its first wait is in the breach log (the deadline job judged it on the policy
  // clock and calendar); resolved = a resolution reply or the customer's thanks, as in the analyzer's scorecard.
  const speed = await sql<Record<string, unknown>>`
    select count(*)::int as cases,
           count(first_response_seconds)::int as answered,
           percentile_cont(0.5) within group (order by ${wait}) as median_seconds,
           percentile_cont(0.9) within group (order by ${wait}) as p90_seconds,
           avg(case when ${wait} <= ${targets.firstResponseSeconds} then 1.0 else 0.0 end) filter (where ${wait} is not null) as within_target_share,
           count(*) filter (where first_response_seconds is not null
             or exists (select 1 from breaches b where b.case_id = c.id and b.metric = 'first_response'))::int as due,
           count(*) filter (where ${wait} <= ${targets.firstResponseSeconds})::int as due_within_target,
           count(*) filter (where close_reason = 'thanks'
             or exists (select 1 from tweet_classifications tc where tc.case_id = c.id and tc.role = 'brand' and tc.kind = 'resolution'))::int as resolved,
           count(*) filter (where state = 'open' and awaiting_since is not null)::int as waiting_now,
           sum(nudges)::int as nudges
    from cases c
    where handle_id = ${handleId} and opened_at >= ${period.from} and opened_at < ${period.to}`.execute(db);

  const deflecting = targets.dmCountsAsDeflection ? [...DEFLECTING_KINDS, 'dm_request'] : [...DEFLECTING_KINDS];
  const personality = PERSONALITY_FLAGS.map((f) => sql`avg(case when ${f} = any(tc.flags) then 1.0 else 0.0 end) as ${sql.ref(f)}`);
  const replies = await sql<Record<string, unknown>>`
    select count(*)::int as replies,
           count(distinct tc.case_id)::int as cases_replied,
           avg(case when tc.kind = any(${sql.val(deflecting)}::text[]) then 1.0 else 0.0 end) as deflection_rate,
           avg(case when tc.kind = 'resolution' then 1.0 else 0.0 end) as resolution_rate,
           ${sql.join(personality)}
    from tweet_classifications tc
    join cases c on c.id = tc.case_id
    where c.handle_id = ${handleId} and c.opened_at >= ${period.from} and c.opened_at < ${period.to} and tc.role = 'brand'`.execute(db);

  const kinds = await sql<{ kind: string; n: number }>`
    select coalesce(tc.kind, 'unclassified') as kind, count(*)::int as n
    from tweet_classifications tc
    join cases c on c.id = tc.case_id
    where c.handle_id = ${handleId} and c.opened_at >= ${period.from} and c.opened_at < ${period.to} and tc.role = 'brand'
    group by 1 order by 2 desc`.execute(db);

  const s = speed.rows[0];
  const r = replies.rows[0];
  const cases = Number(s.cases);
  const replyCount = Number(r.replies);
  return {
    cases,
    speed: {
      clock: targets.clock,
      target_seconds: targets.firstResponseSeconds,
      answered: Number(s.answered),
      unanswered_share: cases ? 1 - Number(s.answered) / cases : null,
      median_first_response_seconds: num(s.median_seconds),
      p90_first_response_seconds: num(s.p90_seconds),
      within_target_share: num(s.within_target_share),
      due: Number(s.due),
      due_within_target: Number(s.due_within_target),
      waiting_now: Number(s.waiting_now),
      nudges: Number(s.nudges ?? 0),
    },
    clarity: {
      replies: replyCount,
      reply_rate: cases ? Number(s.answered) / cases : null,
      resolved_case_rate: cases ? Number(s.resolved) / cases : null,
      replies_per_answered_case: Number(r.cases_replied) ? replyCount / Number(r.cases_replied) : null,
      deflection_rate: num(r.deflection_rate),
      resolution_rate: num(r.resolution_rate),
      deflecting_kinds: deflecting,
      kinds: Object.fromEntries(kinds.rows.map((k) => [k.kind, k.n])),
    },
    personality: Object.fromEntries(PERSONALITY_FLAGS.map((f) => [`${f}_share`, num(r[f])])) as Record<`${(typeof PERSONALITY_FLAGS)[number]}_share`, number | null>,
  };
}

export interface LatencyQuery extends Period {
  handleId?: number;
  scopeTeamId: number | null;
  bucket: 'hour' | 'day';
  clock: 'business' | 'wall';
}

/** The policies (team override, else the handle's) of the handles in scope: one handle, or every handle the team sees. */
export async function scopePolicyTargets(db: Db, q: { handleId?: number; scopeTeamId: number | null }): Promise<PolicyTargets[]> {
  let query = db
    .selectFrom('handles as h')
    .innerJoin('teams as t', 't.id', 'h.team_id')
    .leftJoin('policies as p', (j) => j.on(sql<SqlBool>`p.id = coalesce(t.policy_id, h.policy_id)`))
    .select('p.settings')
    .distinct();
  if (q.handleId !== undefined) query = query.where('h.id', '=', q.handleId);
  if (q.scopeTeamId !== null) query = query.where('h.team_id', '=', q.scopeTeamId);
  return (await query.execute()).map((r) => policyTargets(r.settings));
}

/**
 * Median and p90 first response per bucket of opening time, plus the whole period, on the clock asked for: the stored
 * business seconds on the handle's calendar (as the analyzer measured them; a case with none stored counts its wall
 * seconds, as the scorecard does) or wall seconds. Each case is judged against its own policy's target.
 * Raw SQL: grouping sets and percentile_cont(...) within group have no Kysely builder.
 */
export async function latencyBuckets(db: Db, q: LatencyQuery) {
  const seconds = q.clock === 'business' ? sql`coalesce(c.first_response_business_seconds, c.first_response_seconds)` : sql`c.first_response_seconds`;
  const res = await sql<Record<string, unknown>>`
    with w as (
      select date_trunc(${q.bucket}, c.opened_at, 'UTC') as bucket_start,
             ${seconds} as secs,
             coalesce((p.settings->>'firstResponseMinutes')::double precision, 60) * 60 as target
      from cases c
      join handles h on h.id = c.handle_id
      join teams t on t.id = h.team_id
      left join policies p on p.id = coalesce(t.policy_id, h.policy_id)
      where c.opened_at >= ${q.from} and c.opened_at < ${q.to}
        ${q.handleId !== undefined ? sql`and c.handle_id = ${q.handleId}` : sql``}
        ${q.scopeTeamId !== null ? sql`and h.team_id = ${q.scopeTeamId}` : sql``}
    )
    select bucket_start,
           grouping(bucket_start) = 1 as whole_period,
           count(*)::int as cases,
           count(secs)::int as answered,
           percentile_cont(0.5) within group (order by secs) as median_seconds,
           percentile_cont(0.9) within group (order by secs) as p90_seconds,
           avg(case when secs <= target then 1.0 else 0.0 end) filter (where secs is not null) as within_target_share,
           min(target) as target_seconds
    from w
    group by grouping sets ((bucket_start), ())
    order by whole_period, bucket_start`.execute(db);
  const figures = (r: Record<string, unknown>) => ({
    cases: Number(r.cases),
    answered: Number(r.answered),
    median_seconds: num(r.median_seconds),
    p90_seconds: num(r.p90_seconds),
    target_seconds: num(r.target_seconds),
    within_target_share: num(r.within_target_share),
  });
  // The grand total row is there even with no cases (all counts 0).
  const total = res.rows.find((r) => r.whole_period === true);
  return {
    buckets: res.rows.filter((r) => r.whole_period !== true).map((r) => ({ start: (r.bucket_start as Date).toISOString(), ...figures(r) })),
    summary: total ? figures(total) : { cases: 0, answered: 0, median_seconds: null, p90_seconds: null, target_seconds: null, within_target_share: null },
  };
}
