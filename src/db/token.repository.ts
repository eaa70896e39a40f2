// Owns API tokens: creating them (only a SHA-256 hash is stored), looking them up by bearer value, revoking them.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './connect.ts';
import { AppError } from '../errors.ts';

export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface ApiPrincipal {
  tokenId: number;
  name: string;
  scope: TokenScope;
  /** null: the token sees every team. */
  teamId: number | null;
  teamName: string | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh bearer value: a recognisable prefix plus 32 random bytes. */
export function generateToken(): string {
  return 'rw_' + randomBytes(32).toString('base64url');
}

export async function createToken(db: Db, opts: { name: string; scope: TokenScope; team?: string | null }): Promise<{ id: number; token: string; teamId: number | null }> {
  let teamId: number | null = null;
  if (opts.team) {
    const team = await db.selectFrom('teams').select('id').where('name', '=', opts.team).executeTakeFirst();
    if (!team) throw new AppError('UNKNOWN_TEAM', `team "${opts.team}" does not exist; create it in the config file or through the admin API first`, 400);
    teamId = team.id;
  }
  const token = generateToken();
  const row = await db
    .insertInto('api_tokens')
    .values({ name: opts.name, token_hash: hashToken(token), scope: opts.scope, team_id: teamId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, teamId };
}

/** The live token behind a bearer value, or undefined when it is unknown or revoked. */
export async function findToken(db: Db, token: string): Promise<ApiPrincipal | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('teams', 'teams.id', 'api_tokens.team_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.scope', 'api_tokens.team_id', 'teams.name as team_name'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return { tokenId: row.id, name: row.name, scope: row.scope as TokenScope, teamId: row.team_id, teamName: row.team_name };
}

/** Records use at most once a minute per token, so reads do not turn into a write each. */
export async function touchToken(db: Db, tokenId: number, now: Date): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', tokenId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(now.getTime() - 60_000))]))
    .execute();
}

export async function revokeToken(db: Db, id: number, now: Date): Promise<boolean> {
  const res = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function listTokens(db: Db) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('teams', 'teams.id', 'api_tokens.team_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.scope', 'teams.name as team', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at'])
    .orderBy('api_tokens.id')
    .execute();
}

export async function countLiveTokens(db: Db): Promise<number> {
  const row = await db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<string>().as('n')).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Creates an admin token only when no live token exists. The advisory lock makes two API processes
 * starting together create one token, not two.
 */
export async function createFirstAdminToken(db: Db, name: string): Promise<string | undefined> {
  return db.transaction().execute(async (trx) => {
    // Raw SQL: advisory locks are PostgreSQL functions Kysely has no builder for. The key is arbitrary but fixed.
    await sql`select pg_advisory_xact_lock(7243001)`.execute(trx);
    if ((await countLiveTokens(trx)) > 0) return undefined;
    return (await createToken(trx, { name, scope: 'admin' })).token;
  });
}
