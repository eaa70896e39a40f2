// Owns the API's aggregate reads: a handle's scorecard over a period and first-response latency per time bucket.
import { sql } from 'kysely';
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
  const speed = await sql<Record<string, unknown>>`
    select count(*)::int as cases,
           count(first_response_seconds)::int as answered,
           percentile_cont(0.5) within group (order by ${wait}) as median_seconds,
           percentile_cont(0.9) within group (order by ${wait}) as p90_seconds,
           avg(case when ${wait} <= ${targets.firstResponseSeconds} then 1.0 else 0.0 end) filter (where ${wait} is not null) as within_target_share,
           count(*) filter (where state = 'open' and awaiting_since is not null)::int as waiting_now,
           sum(nudges)::int as nudges
    from cases
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
      waiting_now: Number(s.waiting_now),
      nudges: Number(s.nudges ?? 0),
    },
    clarity: {
      replies: replyCount,
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
}

/** Median and p90 first response per bucket of opening time; each case is judged against its own policy's target. */
export async function latencyBuckets(db: Db, q: LatencyQuery) {
  const res = await sql<Record<string, unknown>>`
    select date_trunc(${q.bucket}, c.opened_at, 'UTC') as bucket_start,
           count(*)::int as cases,
           count(c.first_response_seconds)::int as answered,
           percentile_cont(0.5) within group (order by c.first_response_seconds) as median_seconds,
           percentile_cont(0.9) within group (order by c.first_response_seconds) as p90_seconds,
           avg(case when c.first_response_seconds <= coalesce((p.settings->>'firstResponseMinutes')::double precision, 60) * 60 then 1.0 else 0.0 end)
             filter (where c.first_response_seconds is not null) as within_target_share,
           min(coalesce((p.settings->>'firstResponseMinutes')::double precision, 60) * 60) as target_seconds
    from cases c
    join handles h on h.id = c.handle_id
    join teams t on t.id = h.team_id
    left join policies p on p.id = coalesce(t.policy_id, h.policy_id)
    where c.opened_at >= ${q.from} and c.opened_at < ${q.to}
      ${q.handleId !== undefined ? sql`and c.handle_id = ${q.handleId}` : sql``}
      ${q.scopeTeamId !== null ? sql`and h.team_id = ${q.scopeTeamId}` : sql``}
    group by 1 order by 1`.execute(db);
  return res.rows.map((r) => ({
    start: (r.bucket_start as Date).toISOString(),
    cases: Number(r.cases),
    answered: Number(r.answered),
    median_seconds: num(r.median_seconds),
    p90_seconds: num(r.p90_seconds),
    target_seconds: num(r.target_seconds),
    within_target_share: num(r.within_target_share),
  }));
}
