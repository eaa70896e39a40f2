// Owns the cross-cutting HTTP middleware: request logging and latency metrics, and refusing bodies that are not JSON.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Deps } from '../deps.ts';
import type { Metrics } from '../metrics.ts';
import { AppError } from '../errors.ts';

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** One info line per request with method, path, status and ms; never headers, so no Authorization. */
export function requestLog(deps: Deps, metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const status = c.res.status;
    // After next(), the route index points at the handler that answered (the dashboard's catch-all would otherwise label everything).
    const route = c.req.method === 'OPTIONS' ? 'OPTIONS' : routePath(c) || 'unmatched';
    metrics.httpDuration.observe({ method: c.req.method, route, status: String(status) }, ms / 1000);
    const fields = { reqId: c.get('requestId' as never) as string, method: c.req.method, path: c.req.path, status, ms };
    if (QUIET_PATHS.has(c.req.path)) deps.log.debug(fields, 'request');
    else deps.log.info(fields, 'request');
  };
}

function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') {
      const type = c.req.header('content-type');
      const length = Number(c.req.header('content-length') ?? 0);
      const hasBody = length > 0 || c.req.header('transfer-encoding') !== undefined;
      if ((type && !isJson(type)) || (!type && hasBody)) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', `send the body as JSON with "Content-Type: application/json" (got ${type ? `"${type}"` : 'no Content-Type'})`, 415);
      }
    }
    await next();
  };
}
