// Owns /v1/breaches: the breach event log as JSON pages or a CSV spreadsheet.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { listBreaches, breachesForCase } from '../db/breach-query.repository.ts';
import { decodeCursor, page } from './cursor.ts';
import { newRouter } from './env.ts';
import { csvList, cursor, errorResponses, instant, iso, limit, pageOf } from './schemas.ts';

export const BreachSchema = z
  .object({
    id: z.string(),
    case_id: z.string(),
    handle: z.string(),
    team: z.string(),
    customer_id: z.string(),
    customer_username: z.string().nullable(),
    metric: z.string().openapi({ example: 'first_response' }),
    sequence: z.number().int(),
    policy: z.string(),
    clock: z.string(),
    target_seconds: z.number(),
    started_at: z.string(),
    due_at: z.string(),
    answered_at: z.string().nullable(),
    actual_seconds: z.number().nullable(),
    actual_business_seconds: z.number().nullable(),
    over_by_seconds: z.number().nullable(),
    alert_id: z.string().nullable(),
  })
  .openapi('Breach');
export type BreachJson = z.infer<typeof BreachSchema>;

type BreachRowView = Awaited<ReturnType<typeof breachesForCase>>[number];

export function breachJson(r: BreachRowView): BreachJson {
  return {
    id: r.id,
    case_id: r.case_id,
    handle: r.handle,
    team: r.team,
    customer_id: r.customer_id,
    customer_username: r.customer_username,
    metric: r.metric,
    sequence: r.sequence,
    policy: r.policy,
    clock: r.clock,
    target_seconds: r.target_seconds,
    started_at: r.started_at.toISOString(),
    due_at: r.due_at.toISOString(),
    answered_at: iso(r.answered_at),
    actual_seconds: r.actual_seconds,
    actual_business_seconds: r.actual_business_seconds,
    over_by_seconds: r.over_by_seconds,
    alert_id: r.alert_id,
  };
}

const COLUMNS = Object.keys(BreachSchema.shape) as (keyof BreachJson)[];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote anything a spreadsheet could misread; a leading = + - @ would run as a formula, so it gets a quote mark.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: BreachJson[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of rows) lines.push(COLUMNS.map((k) => csvCell(r[k])).join(','));
  return lines.join('\r\n') + '\r\n';
}

const BreachQuerySchema = z.object({
  handle: z.string().max(50).optional(),
  team: z.string().max(100).optional(),
  metric: csvList(['first_response', 'next_response'] as const).optional(),
  from: instant.optional().openapi({ description: 'due at or after' }),
  to: instant.optional().openapi({ description: 'due before' }),
  format: z.enum(['json', 'csv']).optional().openapi({ description: 'csv: same as `Accept: text/csv`' }),
  limit,
  cursor,
});

const listRoute = createRoute({
  method: 'get',
  path: '/breaches',
  tags: ['breaches'],
  summary: 'Missed response targets, newest due first; `Accept: text/csv` or `format=csv` gives a spreadsheet of the page (next cursor in the `X-Next-Cursor` header)',
  request: { query: BreachQuerySchema },
  responses: {
    200: {
      description: 'A page of breaches',
      headers: z.object({ 'X-Next-Cursor': z.string().optional().openapi({ description: 'CSV only: the cursor of the next page' }) }),
      content: {
        'application/json': { schema: pageOf(BreachSchema, 'BreachPage') },
        'text/csv': { schema: z.string().openapi({ description: 'Header row, then one row a breach' }) },
      },
    },
    ...errorResponses,
  },
});

export function breachRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listBreaches(deps.db, { ...q, scopeTeamId: c.get('principal').teamId, after: decodeCursor('breaches', q.cursor) });
    const { data, next_cursor } = page(rows, q.limit, 'breaches', (r) => r.sort_key);
    const json = data.map(breachJson);
    const wantsCsv = q.format === 'csv' || (q.format !== 'json' && (c.req.header('accept') ?? '').toLowerCase().includes('text/csv'));
    if (wantsCsv) {
      const headers: Record<string, string> = { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="breaches.csv"' };
      if (next_cursor) headers['x-next-cursor'] = next_cursor;
      return c.body(toCsv(json), 200, headers);
    }
    return c.json({ data: json, next_cursor }, 200);
  });

  return app;
}
