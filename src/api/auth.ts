// Owns bearer-token authentication on /v1 and the scope checks of writing and configuring routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { findToken, touchToken, type TokenScope } from '../db/token.repository.ts';
import type { ApiEnv } from './env.ts';

export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super('UNAUTHORIZED', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message, 403);
  }
}

const RANK: Record<TokenScope, number> = { read: 0, write: 1, admin: 2 };

/** "Bearer <token>" in an Authorization header; the token is group 1. */
const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/**
 * Guards /metrics with one shared token (METRICS_TOKEN), the way Prometheus scrapes with `authorization.credentials`;
 * without one configured, /metrics stays open as before. Compared in constant time.
 */
export function metricsAuth(token: string | undefined): MiddlewareHandler<ApiEnv> {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return async (c, next) => {
    if (expected) {
      const match = BEARER_RE.exec(c.req.header('authorization') ?? '');
      if (!match) throw new UnauthorizedError('/metrics needs "Authorization: Bearer <METRICS_TOKEN>"');
      if (!timingSafeEqual(createHash('sha256').update(match[1]!).digest(), expected)) throw new UnauthorizedError('the metrics token is not METRICS_TOKEN');
    }
    await next();
  };
}

export function bearerAuth(deps: Deps): MiddlewareHandler<ApiEnv> {
  // last_used_at is bookkeeping at minute precision: one write per token a minute, not one per request.
  const touched = new Map<number, number>();
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new UnauthorizedError('send "Authorization: Bearer <token>"; create a token with `replywatch token create`');
    const match = BEARER_RE.exec(header);
    if (!match) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
    const principal = await findToken(deps.db, match[1]);
    if (!principal) throw new UnauthorizedError('the token is unknown or revoked');
    c.set('principal', principal);
    const now = deps.clock();
    if ((touched.get(principal.tokenId) ?? -Infinity) < now.getTime() - 60_000) {
      touched.set(principal.tokenId, now.getTime());
      // Bookkeeping only: a failure here must not fail the request.
      touchToken(deps.db, principal.tokenId, now).catch((err) => deps.log.warn({ err }, 'could not record token use'));
    }
    await next();
  };
}

export function requireScope(scope: TokenScope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (RANK[p.scope] < RANK[scope]) throw new ForbiddenError(`this needs a token with the "${scope}" scope; this token has "${p.scope}"`);
    await next();
  };
}

/** Configuration spans teams, so it needs an admin token that is not limited to one. */
export function requireGlobalAdmin(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (p.scope !== 'admin') throw new ForbiddenError(`this needs a token with the "admin" scope; this token has "${p.scope}"`);
    if (p.teamId !== null) throw new ForbiddenError('configuration changes need an admin token that is not limited to a team');
    await next();
  };
}
