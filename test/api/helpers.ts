// Builds a real API (app.request, no port) on a fresh migrated database, with seed rows and tokens for the tests.
import os from 'node:os';
import { Writable } from 'node:stream';
import { loadConfig, parseFileConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createApp } from '../../src/api/app.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { createToken, type TokenScope } from '../../src/db/token.repository.ts';
import type { Deps } from '../../src/deps.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/** Response whose JSON body tests read freely. */
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface ApiHarness {
  t: TestDb;
  deps: Deps;
  app: ReturnType<typeof createApp>;
  logLines: Record<string, unknown>[];
  token(scope: TokenScope, team?: string): Promise<string>;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<JsonResponse>;
  post(path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  ids: { teams: Record<string, number>; handles: Record<string, number> };
  close(): Promise<void>;
}

export const NOW = new Date('2017-11-01T12:00:00Z');

export async function apiHarness(env: Record<string, string> = {}): Promise<ApiHarness> {
  const t = await createTestDb();
  const config = loadConfig(env, os.tmpdir());
  const logLines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      cb();
    },
  });
  const deps: Deps = {
    config,
    db: t.db,
    pool: t.pool,
    databaseUrl: t.url,
    log: createLogger('info', stream),
    clock: () => NOW,
    readiness: { migrated: true, workers: new Set(['api']), roles: new Set(['api']) },
  };
  await syncConfig(
    t.db,
    parseFileConfig(
      {
        policies: [{ name: 'fast', firstResponseMinutes: 30, clock: 'wall' }],
        teams: [{ name: 'care' }, { name: 'rail' }],
        handles: [
          { handle: 'AcmeHelp', team: 'care', policy: 'fast' },
          { handle: 'AcmeRail', team: 'rail' },
        ],
      },
      {},
    ),
  );
  const teams = Object.fromEntries((await t.db.selectFrom('teams').select(['id', 'name']).execute()).map((r) => [r.name, r.id]));
  const handles = Object.fromEntries((await t.db.selectFrom('handles').select(['id', 'handle']).execute()).map((r) => [r.handle, r.id]));
  const app = createApp(deps);
  const req = async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    return (await app.request(path, { method, headers: h, body: payload })) as JsonResponse;
  };
  return {
    t,
    deps,
    app,
    logLines,
    ids: { teams, handles },
    token: async (scope, team) => (await createToken(t.db, { name: `${scope}-${team ?? 'all'}`, scope, team })).token,
    get: (path, token, headers) => req('GET', path, token, undefined, headers),
    post: (path, token, body, headers) => req('POST', path, token, body, headers),
    close: () => t.destroy(),
  };
}

let tweetSeq = 1_000_000_000_000_000_000n;
export function nextTweetId(): string {
  tweetSeq += 1n;
  return tweetSeq.toString();
}

/** Inserts a case with its tweets and classifications; returns the case id. */
export async function seedCase(
  h: ApiHarness,
  opts: {
    handle: string;
    customer?: string;
    openedAt: Date;
    state?: string;
    awaitingSince?: Date | null;
    firstResponseSeconds?: number | null;
    /** As the analyzer stores it: seconds of the first wait inside the calendar's open hours. */
    firstResponseBusinessSeconds?: number | null;
    closeReason?: string | null;
    flags?: string[];
    tweets?: { role: 'customer' | 'brand'; at: Date; text: string; kind?: string; flags?: string[]; reasons?: string[] }[];
  },
): Promise<string> {
  const db = h.t.db;
  const handleId = h.ids.handles[opts.handle];
  const tweets = opts.tweets ?? [{ role: 'customer' as const, at: opts.openedAt, text: '@' + opts.handle + ' my order never arrived' }];
  const ids = tweets.map(() => nextTweetId());
  await db
    .insertInto('tweets')
    .values(tweets.map((t, i) => ({ id: ids[i], author_id: t.role === 'brand' ? opts.handle : (opts.customer ?? '115712'), author_username: t.role === 'brand' ? opts.handle : 'cust' + (opts.customer ?? '115712'), text: t.text, created_at: t.at, source: 'test', in_reply_to_tweet_id: i > 0 ? ids[i - 1] : null })))
    .execute();
  const firstBrand = tweets.find((t) => t.role === 'brand');
  const c = await db
    .insertInto('cases')
    .values({
      case_key: `${handleId}:${opts.customer ?? '115712'}:${ids[0]}`,
      handle_id: handleId,
      customer_id: opts.customer ?? '115712',
      customer_username: 'cust' + (opts.customer ?? '115712'),
      opening_tweet_id: ids[0],
      opened_at: opts.openedAt,
      state: opts.state ?? 'open',
      first_customer_at: opts.openedAt,
      last_customer_at: tweets.filter((t) => t.role === 'customer').at(-1)!.at,
      first_brand_at: firstBrand?.at ?? null,
      last_brand_at: tweets.filter((t) => t.role === 'brand').at(-1)?.at ?? null,
      awaiting_since: opts.awaitingSince === undefined ? (firstBrand ? null : opts.openedAt) : opts.awaitingSince,
      first_response_seconds: opts.firstResponseSeconds !== undefined ? opts.firstResponseSeconds : firstBrand ? (firstBrand.at.getTime() - opts.openedAt.getTime()) / 1000 : null,
      first_response_business_seconds: opts.firstResponseBusinessSeconds ?? null,
      close_reason: opts.closeReason ?? null,
      next_response_seconds: '[]',
      next_response_business_seconds: '[]',
      customer_tweets: tweets.filter((t) => t.role === 'customer').length,
      brand_replies: tweets.filter((t) => t.role === 'brand').length,
      flags: opts.flags ?? [],
      summary: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('tweet_classifications')
    .values(tweets.map((t, i) => ({ tweet_id: ids[i], handle_id: handleId, case_id: c.id, role: t.role, kind: t.kind ?? null, flags: t.flags ?? [], reasons: JSON.stringify(t.reasons ?? []) })))
    .execute();
  return c.id;
}

let alertSeq = 0;
export async function seedAlert(h: ApiHarness, opts: { handle?: string; team?: string; kind?: string; severity?: string; state?: string; raisedAt?: Date; caseId?: string }): Promise<string> {
  const row = await h.t.db
    .insertInto('alerts')
    .values({
      dedup_key: `test:${++alertSeq}:${Math.random()}`,
      kind: opts.kind ?? 'first_response_breach',
      severity: opts.severity ?? 'warning',
      state: opts.state ?? 'open',
      handle_id: opts.handle ? h.ids.handles[opts.handle] : null,
      team_id: opts.team ? h.ids.teams[opts.team] : opts.handle ? h.ids.teams[opts.handle === 'AcmeHelp' ? 'care' : 'rail'] : null,
      case_id: opts.caseId ?? null,
      title: `${opts.kind ?? 'first_response_breach'} on ${opts.handle ?? opts.team}`,
      reasons: JSON.stringify(['waited 61 minutes, target 60']),
      details: '{}',
      ...(opts.raisedAt ? { raised_at: opts.raisedAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
