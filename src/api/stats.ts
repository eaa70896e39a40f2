// Owns /v1/stats: first-response latency over time, bucketed, against the target, on business or wall clock.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { findHandle } from '../db/handle-status.repository.ts';
import { latencyBuckets, scopePolicyTargets } from '../db/stats.repository.ts';
import { newRouter } from './env.ts';
import { errorResponses, instant, notFoundResponse } from './schemas.ts';
import { period } from './handles.ts';

const Clock = z.enum(['business', 'wall']);

const figures = {
  cases: z.number().int(),
  answered: z.number().int(),
  median_seconds: z.number().nullable().openapi({ description: 'first response, in seconds on the chosen clock' }),
  p90_seconds: z.number().nullable(),
  target_seconds: z.number().nullable().openapi({ description: 'the lowest first-response target of the policies involved' }),
  within_target_share: z.number().nullable().openapi({ description: 'answered cases within their target, measured on the chosen clock' }),
};
const Bucket = z.object({ start: z.string(), ...figures }).openapi('LatencyBucket');
const Summary = z.object(figures).openapi('LatencySummary');

const latencyRoute = createRoute({
  method: 'get',
  path: '/stats/latency',
  tags: ['stats'],
  summary: 'Median and p90 first response per hour or day (by case opening time) against the policy target, on business or wall clock',
  request: {
    query: z.object({
      handle: z.string().max(50).optional().openapi({ description: 'default: every handle the token sees' }),
      from: instant.optional().openapi({ description: 'default: 7 days before `to`' }),
      to: instant.optional().openapi({ description: 'default: now' }),
      bucket: z.enum(['hour', 'day']).default('day'),
      clock: Clock.optional().openapi({
        description:
          '`business`: seconds inside the handle calendar’s open hours, as the analyzer stored them; `wall`: elapsed seconds. ' +
          'Default: the clock of the policy the handle(s) are judged on, or `wall` when the handles in scope disagree.',
      }),
    }),
  },
  responses: {
    200: {
      description: 'Buckets in time order (empty buckets are left out) and the whole period',
      content: {
        'application/json': {
          schema: z
            .object({
              handle: z.string().nullable(),
              bucket: z.string(),
              clock: Clock.openapi({ description: 'the clock the figures are on' }),
              policy_clock: Clock.nullable().openapi({ description: 'the clock the policy measures its target on; null when the handles in scope disagree' }),
              target_seconds: z.number().nullable().openapi({ description: 'the policy’s first-response target (the chart’s target line); null when the handles in scope disagree' }),
              from: z.string(),
              to: z.string(),
              summary: Summary,
              data: z.array(Bucket),
            })
            .openapi('LatencyStats'),
        },
      },
    },
    ...errorResponses,
    ...notFoundResponse,
  },
});

/** The one value every element shares, else null. */
const shared = <T>(xs: T[]): T | null => (xs.length > 0 && xs.every((x) => x === xs[0]) ? xs[0]! : null);

export function statsRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(latencyRoute, async (c) => {
    const q = c.req.valid('query');
    const teamId = c.get('principal').teamId;
    let handleId: number | undefined;
    let handleName: string | null = null;
    if (q.handle) {
      const h = await findHandle(deps.db, q.handle.replace(/^@/, ''), teamId);
      if (!h) throw new NotFoundError('handle', q.handle);
      handleId = h.id;
      handleName = h.handle;
    }
    const policies = await scopePolicyTargets(deps.db, { handleId, scopeTeamId: teamId });
    const policyClock = shared(policies.map((p) => p.clock));
    const clock = q.clock ?? policyClock ?? 'wall';
    // An hourly series over a long range would be thousands of points; a month is plenty for a chart.
    const p = period(q.from, q.to, deps.clock(), q.bucket === 'hour' ? 2 : 30);
    const { buckets, summary } = await latencyBuckets(deps.db, { ...p, handleId, scopeTeamId: teamId, bucket: q.bucket, clock });
    return c.json(
      {
        handle: handleName,
        bucket: q.bucket,
        clock,
        policy_clock: policyClock,
        target_seconds: shared(policies.map((x) => x.firstResponseSeconds)),
        from: p.from.toISOString(),
        to: p.to.toISOString(),
        summary,
        data: buckets,
      },
      200,
    );
  });

  return app;
}
