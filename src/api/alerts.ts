// Owns /v1/alerts: the filtered, paginated alert list, one alert, and acknowledging or resolving it.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { getAlert, listAlerts } from '../db/alert-query.repository.ts';
import { ackAndStopEscalation, resolveAndStopEscalation } from '../alerts/alert-state.ts';
import { AppError } from '../errors.ts';
import { requireScope } from './auth.ts';
import { decodeCursor, page } from './cursor.ts';
import { newRouter } from './env.ts';
import { csvList, cursor, errorResponses, IdParam, instant, iso, limit, notFoundResponse, pageOf } from './schemas.ts';

export const AlertSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ example: 'first_response_breach' }),
    severity: z.string().openapi({ example: 'warning' }),
    state: z.string().openapi({ example: 'open' }),
    handle: z.string().nullable(),
    team: z.string().nullable(),
    case_id: z.string().nullable(),
    tweet_id: z.string().nullable(),
    title: z.string(),
    reasons: z.array(z.string()),
    details: z.record(z.string(), z.unknown()),
    due_at: z.string().nullable(),
    raised_at: z.string(),
    acknowledged_at: z.string().nullable(),
    acknowledged_by: z.string().nullable(),
    resolved_at: z.string().nullable(),
    resolved_by: z.string().nullable(),
    resolution: z.string().nullable(),
  })
  .openapi('Alert');
export type AlertJson = z.infer<typeof AlertSchema>;

type AlertRowView = NonNullable<Awaited<ReturnType<typeof getAlert>>>;

export function alertJson(r: AlertRowView): AlertJson {
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    handle: r.handle,
    team: r.team,
    case_id: r.case_id,
    tweet_id: r.tweet_id,
    title: r.title,
    reasons: r.reasons,
    details: r.details,
    due_at: iso(r.due_at),
    raised_at: r.raised_at.toISOString(),
    acknowledged_at: iso(r.acknowledged_at),
    acknowledged_by: r.acknowledged_by,
    resolved_at: iso(r.resolved_at),
    resolved_by: r.resolved_by,
    resolution: r.resolution,
  };
}

const AlertQuerySchema = z.object({
  handle: z.string().max(50).optional(),
  team: z.string().max(100).optional(),
  kind: csvList().optional(),
  severity: csvList(['info', 'warning', 'critical'] as const).optional(),
  state: csvList(['open', 'acknowledged', 'resolved'] as const).optional(),
  since: instant.optional().openapi({ description: 'raised at or after' }),
  until: instant.optional().openapi({ description: 'raised before' }),
  limit,
  cursor,
});

const listRoute = createRoute({
  method: 'get',
  path: '/alerts',
  tags: ['alerts'],
  summary: 'Alerts, newest first, with keyset pagination that is stable while new alerts arrive',
  request: { query: AlertQuerySchema },
  responses: { 200: { description: 'A page of alerts', content: { 'application/json': { schema: pageOf(AlertSchema, 'AlertPage') } } }, ...errorResponses },
});

const getRoute = createRoute({
  method: 'get',
  path: '/alerts/{id}',
  tags: ['alerts'],
  summary: 'One alert',
  request: { params: IdParam },
  responses: { 200: { description: 'The alert', content: { 'application/json': { schema: AlertSchema } } }, ...errorResponses, ...notFoundResponse },
});

const NoteBody = z.object({ note: z.string().max(2000).optional() }).strict();

const transitionRoute = (action: 'ack' | 'resolve') =>
  createRoute({
    method: 'post',
    path: `/alerts/{id}/${action}`,
    tags: ['alerts'],
    summary: action === 'ack' ? 'Acknowledge an alert (stops escalation); needs write scope' : 'Resolve an alert; needs write scope',
    middleware: [requireScope('write')] as const,
    request: { params: IdParam, body: { content: { 'application/json': { schema: NoteBody } }, required: false } },
    responses: {
      200: { description: 'The alert after the change (repeating the request changes nothing)', content: { 'application/json': { schema: AlertSchema } } },
      ...errorResponses,
      ...notFoundResponse,
      409: { description: 'Acknowledging a resolved alert', content: { 'application/json': { schema: (errorResponses[400].content['application/json'].schema) } } },
    },
  });

export function alertRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const rows = await listAlerts(deps.db, { ...q, scopeTeamId: p.teamId, after: decodeCursor('alerts', q.cursor) });
    const { data, next_cursor } = page(rows, q.limit, 'alerts', (r) => r.sort_key);
    return c.json({ data: data.map(alertJson), next_cursor }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await getAlert(deps.db, id, c.get('principal').teamId);
    if (!row) throw new NotFoundError('alert', id);
    return c.json(alertJson(row), 200);
  });

  for (const action of ['ack', 'resolve'] as const) {
    app.openapi(transitionRoute(action), async (c) => {
      const { id } = c.req.valid('param');
      const p = c.get('principal');
      // The visibility check comes first so another team's alert is a 404, exactly like an unknown one.
      if (!(await getAlert(deps.db, id, p.teamId))) throw new NotFoundError('alert', id);
      const body = c.req.valid('json') ?? {};
      const by = `token:${p.name}`;
      // The notifier's own functions: the change and the removal of the alert's escalation jobs commit together.
      const after = action === 'ack' ? await ackAndStopEscalation(deps.db, id, by, deps.clock()) : await resolveAndStopEscalation(deps.db, id, by, body.note ?? 'resolved through the API', deps.clock());
      if (action === 'ack' && after?.state === 'resolved') throw new AppError('ALERT_RESOLVED', `alert ${id} is already resolved; there is nothing to acknowledge`, 409);
      const row = await getAlert(deps.db, id, p.teamId);
      if (!row) throw new NotFoundError('alert', id);
      deps.log.info({ alertId: id, action, token: p.tokenId }, 'alert changed through the API');
      return c.json(alertJson(row), 200);
    });
  }

  return app;
}
