// Owns the Hono application: middleware, error mapping and the mounting of each resource's routes.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { sql } from 'kysely';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';

export function createApp(deps: Deps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, boolean> = { migrated: deps.readiness.migrated, workers: [...deps.readiness.roles].every((r) => deps.readiness.workers.has(r)) };
    try {
      await sql`select 1`.execute(deps.db);
      checks.database = true;
    } catch {
      checks.database = false;
    }
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}`, details: null } }, 404));

  app.onError((err, c) => {
    if (err instanceof AppError && err.status < 500) {
      return c.json({ error: { code: err.code, message: err.message, details: err.details ?? null } }, err.status as 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ error: { code: 'HTTP_' + err.status, message: err.message || 'request rejected', details: null } }, err.status);
    }
    deps.log.error({ err, path: c.req.path, method: c.req.method }, 'request failed');
    return c.json({ error: { code: 'INTERNAL', message: 'internal error; the server log has the details', details: null } }, 500);
  });

  return app;
}
