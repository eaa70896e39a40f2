// Owns /v1/handles: watched handles with their live status, and a handle's scorecard (three criteria and grade) for a period.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { findHandle, listHandleStatus } from '../db/handle-status.repository.ts';
import { policyTargets, scorecard } from '../db/stats.repository.ts';
import { GRADE_FORMULA, gradeCard } from '../domain/grade.ts';
import { newRouter } from './env.ts';
import { errorResponses, instant, iso, notFoundResponse } from './schemas.ts';

const HandleStatus = z
  .object({
    handle: z.string(),
    team: z.string(),
    policy: z.string().nullable(),
    calendar: z.string().nullable(),
    x_user_id: z.string().nullable(),
    active: z.boolean(),
    health: z.string().openapi({ example: 'ok' }),
    health_detail: z.string().nullable(),
    last_polled_at: z.string().nullable(),
    poll_lag_seconds: z.number().nullable(),
    last_brand_tweet_at: z.string().nullable(),
    open_cases: z.number().int(),
    waiting: z.number().int().openapi({ description: 'open cases whose customer waits for a reply' }),
    oldest_waiting_since: z.string().nullable(),
  })
  .openapi('HandleStatus');

const share = z.number().nullable();
const Scorecard = z
  .object({
    handle: z.string(),
    from: z.string(),
    to: z.string(),
    cases: z.number().int(),
    speed: z.object({
      clock: z.string(),
      target_seconds: z.number(),
      answered: z.number().int(),
      unanswered_share: share,
      median_first_response_seconds: z.number().nullable(),
      p90_first_response_seconds: z.number().nullable(),
      within_target_share: share.openapi({ description: 'answered cases within the target, on the policy clock' }),
      due: z.number().int().openapi({ description: 'cases whose first response was due: answered, or unanswered with a logged first-response breach' }),
      due_within_target: z.number().int().openapi({ description: 'due cases answered within the target; due_within_target / due is the speed score' }),
      waiting_now: z.number().int(),
      nudges: z.number().int(),
    }),
    clarity: z.object({
      replies: z.number().int(),
      reply_rate: share.openapi({ description: 'answered cases / cases' }),
      resolved_case_rate: share.openapi({ description: 'cases with a resolution reply or closed by the customer’s thanks / cases' }),
      replies_per_answered_case: z.number().nullable(),
      deflection_rate: share.openapi({ description: 'deflecting replies / replies' }),
      resolution_rate: share.openapi({ description: 'resolution replies / replies' }),
      deflecting_kinds: z.array(z.string()),
      kinds: z.record(z.string(), z.number()),
    }),
    personality: z.object({ signed_share: share, uses_name_share: share, empathy_share: share, canned_share: share }),
    score: z
      .object({ speed: z.number(), clarity: z.number(), personality: z.number(), overall: z.number() })
      .nullable()
      .openapi({ description: 'each criterion and the overall score, 0..100 (see grade_formula); null with no cases' }),
    grade: z.enum(['A', 'B', 'C', 'D', 'F']).nullable().openapi({ description: 'from the overall score: A ≥ 80, B ≥ 65, C ≥ 50, D ≥ 35, else F; null with no cases' }),
    grade_reasons: z.array(z.string()).openapi({ description: 'one line per criterion with the figures behind its score, then how they add up to the grade' }),
    grade_formula: z.string(),
  })
  .openapi('Scorecard');

const listRoute = createRoute({
  method: 'get',
  path: '/handles',
  tags: ['handles'],
  summary: 'Watched handles with their status: last poll, open and waiting cases, health',
  request: { query: z.object({ team: z.string().max(100).optional() }) },
  responses: { 200: { description: 'Handles', content: { 'application/json': { schema: z.object({ data: z.array(HandleStatus) }) } } }, ...errorResponses },
});

const HandleParam = z.object({ handle: z.string().min(1).max(50).regex(/^@?[A-Za-z0-9_]+$/, 'expected an X username').openapi({ param: { name: 'handle', in: 'path' }, example: 'AcmeHelp' }) });

const scorecardRoute = createRoute({
  method: 'get',
  path: '/handles/{handle}/scorecard',
  tags: ['handles'],
  summary: 'The three review criteria (clarity and efficiency, speed, personality) over cases opened in the period, and the overall grade with its reasons',
  request: {
    params: HandleParam,
    query: z.object({
      from: instant.optional().openapi({ description: 'default: 7 days before `to`' }),
      to: instant.optional().openapi({ description: 'default: now' }),
    }),
  },
  responses: { 200: { description: 'The scorecard', content: { 'application/json': { schema: Scorecard } } }, ...errorResponses, ...notFoundResponse },
});

export function period(from: Date | undefined, to: Date | undefined, now: Date, defaultDays: number): { from: Date; to: Date } {
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - defaultDays * 86_400_000);
  if (start >= end) throw new ValidationError('invalid query parameter "from": must be before "to"', [{ in: 'query', path: ['from'], message: 'must be before to' }]);
  return { from: start, to: end };
}

export function handleRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(listRoute, async (c) => {
    const { team } = c.req.valid('query');
    const now = deps.clock().getTime();
    const rows = await listHandleStatus(deps.db, c.get('principal').teamId, team);
    return c.json(
      {
        data: rows.map((r) => ({
          handle: r.handle,
          team: r.team,
          policy: r.policy,
          calendar: r.calendar,
          x_user_id: r.x_user_id,
          active: r.active,
          health: r.health,
          health_detail: r.health_detail,
          last_polled_at: iso(r.last_polled_at),
          poll_lag_seconds: r.last_polled_at ? (now - r.last_polled_at.getTime()) / 1000 : null,
          last_brand_tweet_at: iso(r.last_brand_tweet_at),
          open_cases: r.open_cases,
          waiting: r.waiting,
          oldest_waiting_since: iso(r.oldest_waiting_since),
        })),
      },
      200,
    );
  });

  app.openapi(scorecardRoute, async (c) => {
    const { handle } = c.req.valid('param');
    const q = c.req.valid('query');
    const h = await findHandle(deps.db, handle.replace(/^@/, ''), c.get('principal').teamId);
    if (!h) throw new NotFoundError('handle', handle);
    const p = period(q.from, q.to, deps.clock(), 7);
    const targets = policyTargets(h.policy_settings);
    const card = await scorecard(deps.db, h.id, p, targets);
    const graded = card.cases
      ? gradeCard({
          cases: card.cases,
          dueCases: card.speed.due,
          dueWithinTarget: card.speed.due_within_target,
          targetSeconds: targets.firstResponseSeconds,
          clock: targets.clock,
          replyRate: card.clarity.reply_rate,
          deflectionRate: card.clarity.deflection_rate,
          resolutionRate: card.clarity.resolved_case_rate,
          replies: card.clarity.replies,
          signed: card.personality.signed_share,
          usesName: card.personality.uses_name_share,
          empathy: card.personality.empathy_share,
          canned: card.personality.canned_share,
        })
      : null;
    return c.json(
      {
        handle: h.handle,
        from: p.from.toISOString(),
        to: p.to.toISOString(),
        ...card,
        score: graded?.score ?? null,
        grade: graded?.grade ?? null,
        grade_reasons: graded?.reasons ?? ['no cases opened in the period, so there is nothing to grade'],
        grade_formula: GRADE_FORMULA,
      },
      200,
    );
  });

  return app;
}
