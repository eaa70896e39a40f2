// The canned-reply memory survives a restart and a handle moving between analyzer processes: each batch first brings the
// process's memory up to date with the replies stored for the handle, so a template is flagged as an uninterrupted run flags it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, seedHandle, type T } from './helpers.ts';
import { slaDb } from '../../src/db/sla.schema.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const NOW = '2026-03-03T00:00:00Z';
const TEMPLATE = (name: string, sig: string) => `Hi ${name}, we're sorry for the delay with your order. Please DM us your order number and email so we can look into this. ${sig}`;
const CANNED_REASON = /^canned: near-identical text already sent to \d\+ other customers$/;

let nextId = 70_000;
/** A customer's complaint at `at` and the brand's answer to it a minute later. */
function exchange(handle: string, customer: string, at: string, answer: string): T[] {
  const asked = String(++nextId);
  const answerAt = new Date(Date.parse(at) + 60_000).toISOString();
  return [
    { id: asked, author: customer, text: `@${handle} my order is late again`, at },
    { id: String(++nextId), author: handle, text: `@c${customer} ${answer}`, at: answerAt, replyTo: asked, brand: true },
  ];
}

/** Flags and reasons of the handle's replies, oldest first. */
async function replies(handleId: number) {
  const rows = await slaDb(t.db)
    .selectFrom('tweet_classifications as tc')
    .innerJoin('tweets as tw', 'tw.id', 'tc.tweet_id')
    .select(['tc.customer_id', 'tc.flags', 'tc.reasons'])
    .where('tc.handle_id', '=', handleId)
    .where('tc.role', '=', 'brand')
    .orderBy('tw.created_at')
    .orderBy('tw.id')
    .execute();
  return rows.map((r) => ({ customer: r.customer_id, canned: r.flags.includes('canned'), cannedReasons: (r.reasons as string[]).filter((x) => x.startsWith('canned')) }));
}

describe('canned-reply memory across restarts', () => {
  it('flags the third customer’s copy of a template after a restart, with its reason, as an uninterrupted run does', async () => {
    // The same conversations on two handles: one analyzed by one process throughout, one by a fresh process (a
    // restart, an empty CannedDetector) for every step.
    const steps = (handle: string) => [
      [...exchange(handle, '1', '2026-03-02T09:00:00Z', TEMPLATE('Dale', '^KK')), ...exchange(handle, '2', '2026-03-02T09:10:00Z', TEMPLATE('Priya', '^LA'))],
      [...exchange(handle, '3', '2026-03-02T10:00:00Z', TEMPLATE('Jo', '^GM')), ...exchange(handle, '4', '2026-03-02T10:10:00Z', 'Press and hold the reset button for 30 seconds, then let us know what the light does.')],
      exchange(handle, '5', '2026-03-02T11:00:00Z', TEMPLATE('Sam', '-Becky')),
    ];
    const steady = await seedHandle(t.db, { policy: { clock: 'wall' } });
    const restarted = await seedHandle(t.db, { policy: { clock: 'wall' } });
    const oneProcess = new CannedDetector();
    const [a, b] = [steps(steady.handle), steps(restarted.handle)];
    for (let i = 0; i < a.length; i++) {
      await addTweets(t.db, steady.handleId, steady.handle, a[i]!);
      await analyze(t.db, steady.handleId, NOW, { canned: oneProcess });
      await addTweets(t.db, restarted.handleId, restarted.handle, b[i]!);
      await analyze(t.db, restarted.handleId, NOW, { canned: new CannedDetector() });
    }
    const got = await replies(restarted.handleId);
    expect(got.map((r) => [r.customer, r.canned])).toEqual([
      ['1', false],
      ['2', false],
      ['3', true],
      ['4', false],
      ['5', true],
    ]);
    expect(got[2]!.cannedReasons).toEqual([expect.stringMatching(CANNED_REASON)]);
    expect(got[4]!.cannedReasons).toEqual([expect.stringMatching(CANNED_REASON)]);
    expect(got).toEqual(await replies(steady.handleId));
  });

  it('does not flag a template after a restart when only one customer got it before, however often', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall' } });
    await addTweets(t.db, handleId, handle, [...exchange(handle, '1', '2026-03-02T09:00:00Z', TEMPLATE('Dale', '^KK')), ...exchange(handle, '1', '2026-03-02T09:30:00Z', TEMPLATE('Dale', '^LA'))]);
    await analyze(t.db, handleId, NOW, { canned: new CannedDetector() });
    await addTweets(t.db, handleId, handle, exchange(handle, '2', '2026-03-02T10:00:00Z', TEMPLATE('Priya', '^GM')));
    await analyze(t.db, handleId, NOW, { canned: new CannedDetector() });
    expect((await replies(handleId)).map((r) => [r.customer, r.canned, r.cannedReasons])).toEqual([
      ['1', false, []],
      ['1', false, []],
      ['2', false, []],
    ]);
  });

  it('catches up on the replies another process analyzed since this one last had the handle', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall' } });
    const [p, q] = [new CannedDetector(), new CannedDetector()];
    await addTweets(t.db, handleId, handle, exchange(handle, '1', '2026-03-02T09:00:00Z', TEMPLATE('Dale', '^KK')));
    await analyze(t.db, handleId, NOW, { canned: p });
    await addTweets(t.db, handleId, handle, exchange(handle, '2', '2026-03-02T10:00:00Z', TEMPLATE('Priya', '^LA')));
    await analyze(t.db, handleId, NOW, { canned: q });
    // p saw the handle before, but q sent a copy meanwhile: p's memory must include it.
    await addTweets(t.db, handleId, handle, exchange(handle, '3', '2026-03-02T11:00:00Z', TEMPLATE('Jo', '^GM')));
    await analyze(t.db, handleId, NOW, { canned: p });
    expect((await replies(handleId)).map((r) => [r.customer, r.canned])).toEqual([
      ['1', false],
      ['2', false],
      ['3', true],
    ]);
  });

  it('forgets the replies of a batch that rolled back', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall' } });
    const p = new CannedDetector();
    await addTweets(t.db, handleId, handle, exchange(handle, '1', '2026-03-02T09:00:00Z', TEMPLATE('Dale', '^KK')));
    await analyze(t.db, handleId, NOW, { canned: p });
    // Customer 2's copy is observed in memory, then its batch fails to store, and the tweets are withdrawn.
    const failed = exchange(handle, '2', '2026-03-02T10:00:00Z', TEMPLATE('Priya', '^LA'));
    await addTweets(t.db, handleId, handle, failed);
    await sql`create function fail_classification() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(t.db);
    await sql`create trigger fail_classification before insert on tweet_classifications for each row execute function fail_classification()`.execute(t.db);
    await expect(analyze(t.db, handleId, NOW, { canned: p })).rejects.toThrow(/injected failure/);
    await sql`drop trigger fail_classification on tweet_classifications`.execute(t.db);
    await sql`drop function fail_classification()`.execute(t.db);
    await t.db.deleteFrom('tweet_handles').where('handle_id', '=', handleId).where('tweet_id', 'in', failed.map((x) => x.id)).execute();

    await addTweets(t.db, handleId, handle, exchange(handle, '3', '2026-03-02T11:00:00Z', TEMPLATE('Jo', '^GM')));
    await analyze(t.db, handleId, NOW, { canned: p });
    // Only customer 1 got the template as far as the database knows, so customer 3's copy is the second, not canned.
    expect((await replies(handleId)).map((r) => [r.customer, r.canned])).toEqual([
      ['1', false],
      ['3', false],
    ]);
  });
});
