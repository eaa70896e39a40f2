// Owns the Hono application: middleware, error mapping and the mounting of each resource's routes.
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { probeDatabase } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { createMetrics } from '../metrics.ts';
import type { ApiEnv } from './env.ts';
import { newRouter } from './env.ts';
import { bearerAuth, metricsAuth } from './auth.ts';
import { jsonBodiesOnly, requestLog } from './http.ts';
import { docsRoutes } from './docs.ts';
import { alertRoutes } from './alerts.ts';
import { breachRoutes } from './breaches.ts';
import { caseRoutes } from './cases.ts';
import { handleRoutes } from './handles.ts';
import { statsRoutes } from './stats.ts';
import { adminRoutes } from './admin.ts';
import { dashboardRoutes } from './dashboard.ts';

const API_VERSION = '1.0.0';

export function createApp(deps: Deps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  const metrics = deps.metrics ?? createMetrics(deps.db, deps.clock);

  app.use('*', requestId());
  app.use('*', requestLog(deps, metrics));
  app.use('*', secureHeaders());
  if (deps.config.api.corsOrigins.length) {
    app.use('*', cors({ origin: [...deps.config.api.corsOrigins], allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: ['X-Request-Id'], maxAge: 600 }));
  }
  app.use('*', jsonBodiesOnly());
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.api.bodyLimitBytes,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `the body exceeds ${deps.config.api.bodyLimitBytes} bytes (API_BODY_LIMIT_BYTES)`, 413);
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, boolean> = { migrated: deps.readiness.migrated, workers: [...deps.readiness.roles].every((r) => deps.readiness.workers.has(r)) };
    try {
      // Bounded: a database behind a silent partition answers 503 here instead of holding the request for minutes.
      await probeDatabase(deps.pool);
      checks.database = true;
    } catch {
      checks.database = false;
    }
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });

  app.use('/metrics', metricsAuth(deps.config.api.metricsToken));
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  const v1 = newRouter();
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A token from `replywatch token create`' });
  v1.use('*', bearerAuth(deps));
  v1.route('/', alertRoutes(deps));
  v1.route('/', breachRoutes(deps));
  v1.route('/', caseRoutes(deps));
  v1.route('/', handleRoutes(deps));
  v1.route('/', statsRoutes(deps));
  v1.route('/', adminRoutes(deps));
  app.route('/v1', v1);
  app.route('/', docsRoutes(app, API_VERSION));

  // The dashboard (web/dist) mounts last, after the API, so /v1, /docs and /metrics keep priority.
  app.route('/', dashboardRoutes());

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}`, details: null } }, 404));

  app.onError((err, c) => {
    if (err instanceof AppError && err.status < 500) {
      // RFC 6750: a 401 names the scheme, and says when a token was sent but not accepted.
      if (err.status === 401) c.header('WWW-Authenticate', c.req.header('authorization') ? 'Bearer realm="replywatch", error="invalid_token"' : 'Bearer realm="replywatch"');
      return c.json({ error: { code: err.code, message: err.message, details: err.details ?? null } }, err.status as 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ error: { code: 'HTTP_' + err.status, message: err.message || 'request rejected', details: null } }, err.status);
    }
    deps.log.error({ err, reqId: c.get('requestId'), path: c.req.path, method: c.req.method }, 'request failed');
    return c.json({ error: { code: 'INTERNAL', message: 'internal error; the server log has the details', details: null } }, 500);
  });

  return app;
}
