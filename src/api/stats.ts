// Owns /v1/stats: first-response latency over time, bucketed, against the target.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { findHandle } from '../db/handle-status.repository.ts';
import { latencyBuckets } from '../db/stats.repository.ts';
import { newRouter } from './env.ts';
import { errorResponses, instant, notFoundResponse } from './schemas.ts';
import { period } from './handles.ts';

const Bucket = z
  .object({
    start: z.string(),
    cases: z.number().int(),
    answered: z.number().int(),
    median_seconds: z.number().nullable(),
    p90_seconds: z.number().nullable(),
    target_seconds: z.number().nullable(),
    within_target_share: z.number().nullable(),
  })
  .openapi('LatencyBucket');

const latencyRoute = createRoute({
  method: 'get',
  path: '/stats/latency',
  tags: ['stats'],
  summary: 'Median and p90 first response per hour or day (by case opening time) against the policy target',
  request: {
    query: z.object({
      handle: z.string().max(50).optional().openapi({ description: 'default: every handle the token sees' }),
      from: instant.optional().openapi({ description: 'default: 7 days before `to`' }),
      to: instant.optional().openapi({ description: 'default: now' }),
      bucket: z.enum(['hour', 'day']).default('day'),
    }),
  },
  responses: {
    200: {
      description: 'Buckets in time order (empty buckets are left out)',
      content: { 'application/json': { schema: z.object({ handle: z.string().nullable(), bucket: z.string(), from: z.string(), to: z.string(), data: z.array(Bucket) }).openapi('LatencyStats') } },
    },
    ...errorResponses,
    ...notFoundResponse,
  },
});

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
    // An hourly series over a long range would be thousands of points; a month is plenty for a chart.
    const p = period(q.from, q.to, deps.clock(), q.bucket === 'hour' ? 2 : 30);
    const data = await latencyBuckets(deps.db, { ...p, handleId, scopeTeamId: teamId, bucket: q.bucket });
    return c.json({ handle: handleName, bucket: q.bucket, from: p.from.toISOString(), to: p.to.toISOString(), data }, 200);
  });

  return app;
}
