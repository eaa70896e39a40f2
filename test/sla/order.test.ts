// The analyzer applies a handle's tweets in tweet time order, whatever order they were stored in, and holds polled
// tweets until every timeline of the handle has been read past them (the watermark).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, seedHandle } from './helpers.ts';
import { slaDb } from '../../src/db/sla.schema.ts';
import { ingestBatch } from '../../src/db/ingest.repository.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';
import { analyzeHandle, holdOptions, type HoldOptions } from '../../workers/analyze-handle.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const cases = (handleId: number) =>
  slaDb(t.db)
    .selectFrom('cases')
    .select(['customer_id', 'first_response_seconds', 'customer_tweets', 'brand_replies', 'next_response_seconds', 'awaiting_since'])
    .where('handle_id', '=', handleId)
    .orderBy('opened_at')
    .execute();
const queued = async (handleId: number) =>
  (await t.db.selectFrom('tweet_handles').select('tweet_id').where('handle_id', '=', handleId).where('analyzed', '=', false).orderBy('tweet_id').execute()).map((r) => r.tweet_id);
const HOLD: HoldOptions = { timelines: ['mentions', 'tweets'], settleMs: 10_000, maxHoldMs: 900_000 };

describe('analyzer order', () => {
  it('gives the same case when the brand reply and a follow-up were stored before the tweet that opened it', async () => {
    // Tweet ids are global: each handle gets its own (base + 1, 2, 3).
    const timeline = (handle: string, base: number) => [
      { id: String(base + 1), author: '77', text: 'my order never arrived', at: '2026-03-02T10:00:00Z' },
      { id: String(base + 2), author: '77', text: 'hello?? anyone there', at: '2026-03-02T10:05:00Z' },
      { id: String(base + 3), author: handle, text: 'Sorry about that! It ships today and arrives tomorrow.', at: '2026-03-02T10:20:00Z', replyTo: String(base + 1), brand: true },
    ];
    const inOrder = await seedHandle(t.db, { policy: { clock: 'wall' } });
    await addTweets(t.db, inOrder.handleId, inOrder.handle, timeline(inOrder.handle, 9000));
    // Stored newest first, as a poller reading X's newest-first pages (or its own timeline before the mentions) stores them.
    const reversed = await seedHandle(t.db, { policy: { clock: 'wall' } });
    const tl = timeline(reversed.handle, 9010);
    for (const tw of [...tl].reverse()) await addTweets(t.db, reversed.handleId, reversed.handle, [tw]);

    // One tweet a batch: each batch resumes from the state the previous one stored.
    await analyze(t.db, inOrder.handleId, '2026-03-02T12:00:00Z', { batchSize: 1 });
    const res = await analyze(t.db, reversed.handleId, '2026-03-02T12:00:00Z', { batchSize: 1 });
    expect(res.tweets).toBe(3);
    const expected = [{ customer_id: '77', first_response_seconds: 1200, customer_tweets: 2, brand_replies: 1, next_response_seconds: [], awaiting_since: null }];
    expect(await cases(inOrder.handleId)).toEqual(expected);
    expect(await cases(reversed.handleId)).toEqual(expected);
    expect(await queued(reversed.handleId)).toEqual([]);
  });

  it('holds polled tweets until both timelines were read past them, then releases them by the watermark or after the longest hold', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall' } });
    const at = (s: string) => new Date(`2026-03-02T${s}Z`);
    const link = (id: string, created: Date) => ({ handleId, tweetId: id, role: 'customer' as const, createdAt: created });
    const record = (id: string, created: Date, text: string) => ({ tweet: { id, authorId: '88', text: `@${handle} ${text}`, createdAt: created, mentions: [handle], isBrand: false } });
    await ingestBatch(t.db, { source: 'x', records: [record('9101', at('10:00:00'), 'where is my refund')], links: [link('9101', at('10:00:00'))] });
    await ingestBatch(t.db, { source: 'x', records: [record('9102', at('10:00:25'), 'still waiting')], links: [link('9102', at('10:00:25'))] });
    const canned = new CannedDetector();
    const run = (now: Date) => analyzeHandle(t.db, handleId, { now: () => now, canned, hold: HOLD });

    // No timeline read to completion yet: nothing is applied, and the job knows when to look again without a poll:
    // the longest hold after the first link was queued (the database's clock, which is the real one).
    const queuedAt = (await t.db.selectFrom('tweet_handles').select('queued_at').where('tweet_id', '=', '9101').executeTakeFirstOrThrow()).queued_at;
    const none = await run(at('10:01:00'));
    expect(none).toMatchObject({ tweets: 0, more: false });
    expect(none.heldUntil?.getTime()).toBe(queuedAt.getTime() + 900_001);

    // Mentions read up to 10:01, the own timeline up to 10:00:30: the watermark is 10:00:20 (less the settle time).
    const through = (timeline: string, position: Date) => ({ handleId, timeline: `${timeline}:through`, position: position.toISOString() });
    await ingestBatch(t.db, { source: 'x', records: [], links: [], cursors: [through('mentions', at('10:01:00')), through('tweets', at('10:00:30'))] });
    // A finished poll wakes the analyzer when tweets wait, even though it brought no new tweet.
    const wake = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs where key = ${`analyze_handle:${handleId}`}`.execute(t.db);
    expect(wake.rows[0]!.n).toBe(1);
    const first = await run(at('10:01:05'));
    expect(first.tweets).toBe(1);
    expect(await queued(handleId)).toEqual(['9102']);
    const queued2 = (await t.db.selectFrom('tweet_handles').select('queued_at').where('tweet_id', '=', '9102').executeTakeFirstOrThrow()).queued_at;
    expect(first.heldUntil?.getTime()).toBe(queued2.getTime() + 900_001);

    // X stops answering: the tweet is applied once it has been queued for the longest hold, however old it is.
    expect((await run(new Date(queued2.getTime() + 899_000))).tweets).toBe(0);
    expect((await run(first.heldUntil!)).tweets).toBe(1);
    expect(await queued(handleId)).toEqual([]);
    const [c] = await cases(handleId);
    expect(c).toMatchObject({ customer_id: '88', customer_tweets: 2 });
  });

  it('holds only when X is polled, on the timelines of the configured mode', () => {
    expect(holdOptions({ mode: 'timelines', settleSeconds: 10, maxHoldSeconds: 900 })).toBeUndefined();
    expect(holdOptions({ bearerToken: 'x', mode: 'timelines', settleSeconds: 10, maxHoldSeconds: 900 })).toEqual({ timelines: ['mentions', 'tweets'], settleMs: 10_000, maxHoldMs: 900_000 });
    expect(holdOptions({ bearerToken: 'x', mode: 'search', settleSeconds: 5, maxHoldSeconds: 600 })).toEqual({ timelines: ['search'], settleMs: 5_000, maxHoldMs: 600_000 });
  });
});
