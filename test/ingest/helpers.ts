// Shared set-up for ingestion tests: a seeded database, the fake X server and a poll context pointed at it.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, parseFileConfig, type Config } from '../../src/config.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { createLogger } from '../../src/log.ts';
import { createXClient } from '../../src/sources/x-client.ts';
import type { PollContext } from '../../src/ingest/poll-handle.ts';
import type { XPost, XUser } from '../../src/domain/x-tweet.ts';
import type { TestDb } from '../helpers/db.ts';
import type { FakeX } from '../fakes/fake-x.ts';

const STORED = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/x/timeline.json'), 'utf8')) as { users: XUser[]; posts: XPost[] };
export const HANDLES = ['AcmeHelp', 'GlobexCare', 'InitechSupport'];
/**
 * The injected clock. The fixture was written for a clock at 2026-11-21T12:00Z; its posts move with T0 to the current
 * hour, because a test that waits for a real rate-limit reset jumps the clock to real time, and its backfill window
 * (measured from that clock) must still cover them whatever day the suite runs.
 */
export const T0 = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const SHIFT_MS = T0.getTime() - Date.parse('2026-11-21T12:00:00Z');
export const FIXTURE = {
  users: STORED.users,
  posts: STORED.posts.map((p) => (p.created_at ? { ...p, created_at: new Date(Date.parse(p.created_at) + SHIFT_MS).toISOString() } : p)),
};

export function fixtureClone(): { users: XUser[]; posts: XPost[] } {
  return structuredClone(FIXTURE);
}

export function testConfig(fakeUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({ X_BEARER_TOKEN: 'test-token', X_API_BASE_URL: fakeUrl, X_API_ALLOW_HTTP: '1', X_BACKFILL_HOURS: '72', REPLAY_ENABLED: '0', ...env }, '/nonexistent');
}

export async function seedHandles(t: TestDb, handles = HANDLES): Promise<Map<string, number>> {
  await syncConfig(t.db, parseFileConfig({ handles: handles.map((handle) => ({ handle, team: 'support' })) }, {}));
  const rows = await t.db.selectFrom('handles').select(['id', 'handle']).execute();
  return new Map(rows.map((r) => [r.handle, r.id]));
}

/** Ids of every post the fake holds for a handle's timelines (mentions of it or posts by it), latest versions folded to the first id. */
export function expectedIds(fake: FakeX, handle: string): Set<string> {
  const user = fake.userByName(handle)!;
  const ids = new Set<string>();
  for (const p of fake.posts) {
    const mine = p.author_id === user.id || (p.entities?.mentions ?? []).some((m) => m.username.toLowerCase() === handle.toLowerCase());
    if (mine) ids.add(p.edit_history_tweet_ids?.[0] ?? p.id);
  }
  return ids;
}

export function pollContext(t: TestDb, fake: FakeX, opts: { clock?: () => Date; env?: Record<string, string>; sleeps?: number[] } = {}): PollContext {
  const config = testConfig(fake.url, opts.env);
  return {
    db: t.db,
    pool: t.pool,
    x: createXClient({ bearerToken: 'test-token', baseUrl: fake.url, allowHttp: true, timeoutMs: 5000 }),
    config,
    log: createLogger('silent'),
    clock: opts.clock ?? (() => T0),
    // Backoff waits are recorded, not slept: the tests assert the policy without waiting for it.
    sleep: async (ms) => {
      opts.sleeps?.push(ms);
    },
    random: () => 0.5,
  };
}

export async function storedIds(t: TestDb, handleId: number): Promise<string[]> {
  const rows = await t.db.selectFrom('tweet_handles').select('tweet_id').where('handle_id', '=', handleId).execute();
  return rows.map((r) => r.tweet_id);
}
