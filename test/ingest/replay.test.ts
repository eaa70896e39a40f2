import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { BUNDLED_REPLAY_FILE, parseFileConfig } from '../../src/config.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { createLogger } from '../../src/log.ts';
import { LOOP_ID_SHIFT, replayFile } from '../../src/ingest/replay.ts';
import { readTwcs } from '../../src/sources/twcs.ts';

let t: TestDb;
const log = createLogger('silent');

beforeAll(async () => {
  t = await createTestDb();
  await syncConfig(t.db, parseFileConfig({ handles: [{ handle: 'AmazonHelp', team: 'support' }] }, {}));
});
afterAll(async () => {
  await t.destroy();
});

async function fileTweets() {
  const all = [];
  for await (const b of readTwcs(BUNDLED_REPLAY_FILE)) all.push(...b);
  return all;
}

describe('replay', () => {
  it('ingests the bundled demo slice through the ingest path, creating handles for its brands', async () => {
    const tweets = await fileTweets();
    expect(tweets).toHaveLength(1500);
    const now = new Date('2026-11-23T10:00:00Z');
    const r = await replayFile(t.db, { file: BUNDLED_REPLAY_FILE, speed: Infinity, clock: () => now, log });
    expect(r.tweets).toBe(1500);
    expect(r.loops).toBe(1);
    const handles = await t.db.selectFrom('handles').select('handle').orderBy('handle').execute();
    const brands = [...new Set(tweets.filter((x) => x.isBrand).map((x) => x.authorId))].sort();
    expect(handles.map((h) => h.handle).sort()).toEqual(brands.sort());
    const stored = await t.db.selectFrom('tweets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(1500);
    // Every tweet of the slice belongs to its conversation's brand, brand replies as 'brand'.
    const links = await t.db.selectFrom('tweet_handles').innerJoin('handles', 'handles.id', 'tweet_handles.handle_id').select(['tweet_id', 'role', 'handle']).execute();
    expect(new Set(links.map((l) => l.tweet_id)).size).toBe(1500);
    const byId = new Map(tweets.map((x) => [x.id, x]));
    for (const l of links) {
      const tw = byId.get(l.tweet_id)!;
      expect(l.role).toBe(tw.isBrand ? 'brand' : 'customer');
      if (tw.isBrand) expect(l.handle).toBe(tw.authorId);
    }
    // The configured handle was reused (case-insensitive), not duplicated; replay again is a no-op.
    expect(handles.filter((h) => h.handle.toLowerCase() === 'amazonhelp')).toHaveLength(1);
    await replayFile(t.db, { file: BUNDLED_REPLAY_FILE, speed: Infinity, clock: () => now, log });
    const again = await t.db.selectFrom('tweet_handles').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(again.n)).toBe(links.length);
    const job = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where key like 'analyze_handle:%'`.execute(t.db);
    expect(job.rows[0].n).toBe(brands.length);
  });

  it('shifts the first tweet to now and compresses time by --speed', async () => {
    const d = await createTestDb();
    try {
      await syncConfig(d.db, parseFileConfig({}, {}));
      const tweets = await fileTweets();
      const first = tweets[0].createdAt.getTime();
      const span = tweets[tweets.length - 1].createdAt.getTime() - first;
      const speed = span / 1500; // the whole slice in about 1.5 s
      const start = Date.now();
      await replayFile(d.db, { file: BUNDLED_REPLAY_FILE, speed, clock: () => new Date(), log });
      const elapsed = Date.now() - start;
      expect(elapsed).toBeGreaterThanOrEqual(1400);
      const rows = await d.db.selectFrom('tweets').select(['id', 'created_at', 'ingested_at']).execute();
      for (const row of rows) {
        const orig = tweets.find((x) => x.id === row.id)!.createdAt.getTime();
        const expected = (orig - first) / speed;
        expect(Math.abs(row.created_at.getTime() - start - expected)).toBeLessThan(1000);
        // Not ingested before its shifted time.
        expect(row.ingested_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime() - 60);
      }
    } finally {
      await d.destroy();
    }
  });

  it('loops with shifted ids so passes never collide', async () => {
    const d = await createTestDb();
    try {
      await syncConfig(d.db, parseFileConfig({}, {}));
      const controller = new AbortController();
      const running = replayFile(d.db, { file: BUNDLED_REPLAY_FILE, speed: Infinity, loop: true, clock: () => new Date(), signal: controller.signal, log });
      for (;;) {
        const n = await d.db.selectFrom('tweets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
        if (Number(n.n) >= 3000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      const r = await running;
      expect(r.loops).toBeGreaterThanOrEqual(2);
      const shifted = await sql<{ n: number }>`select count(*)::int as n from tweets where id >= ${LOOP_ID_SHIFT.toString()}::bigint and id < ${(2n * LOOP_ID_SHIFT).toString()}::bigint`.execute(d.db);
      expect(shifted.rows[0].n).toBe(1500);
      const replies = await sql<{ n: number }>`select count(*)::int as n from tweets t where t.id >= ${LOOP_ID_SHIFT.toString()}::bigint and t.id < ${(2n * LOOP_ID_SHIFT).toString()}::bigint and t.in_reply_to_tweet_id is not null and t.in_reply_to_tweet_id < ${LOOP_ID_SHIFT.toString()}::bigint`.execute(d.db);
      expect(replies.rows[0].n).toBe(0);
    } finally {
      await d.destroy();
    }
  });
});
