// Owns /v1/handles: watched handles with their live status, and a handle's scorecard for a period.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { findHandle, listHandleStatus } from '../db/handle-status.repository.ts';
import { policyTargets, scorecard } from '../db/stats.repository.ts';
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
      within_target_share: share,
      waiting_now: z.number().int(),
      nudges: z.number().int(),
    }),
    clarity: z.object({
      replies: z.number().int(),
      replies_per_answered_case: z.number().nullable(),
      deflection_rate: share,
      resolution_rate: share,
      deflecting_kinds: z.array(z.string()),
      kinds: z.record(z.string(), z.number()),
    }),
    personality: z.object({ signed_share: share, uses_name_share: share, empathy_share: share, canned_share: share }),
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
  summary: 'The three review criteria (clarity and efficiency, speed, personality) over cases opened in the period',
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
    const card = await scorecard(deps.db, h.id, p, policyTargets(h.policy_settings));
    return c.json({ handle: h.handle, from: p.from.toISOString(), to: p.to.toISOString(), ...card }, 200);
  });

  return app;
}
