// Quiet cases close on the clock, not only when the customer writes again, and the next tweet opens a new case as it would have.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, seedHandle } from './helpers.ts';
import { slaDb } from '../../src/db/sla.schema.ts';
import { closeQuietCases } from '../../workers/close-quiet.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const cases = (handleId: number) =>
  slaDb(t.db).selectFrom('cases').select(['customer_id', 'state', 'closed_at', 'close_reason', 'summary']).where('handle_id', '=', handleId).orderBy('opened_at').execute();

it('closes an answered case after the quiet period, never a waiting one, and the next tweet opens a new case', async () => {
  const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall', quietCloseHours: 72 } });
  await addTweets(t.db, handleId, handle, [
    { id: '8101', author: '61', text: 'my router keeps dropping the connection', at: '2026-03-02T10:00:00Z' },
    { id: '8102', author: handle, text: 'Sorry! Can you try a restart and tell us the light colour?', at: '2026-03-02T10:20:00Z', replyTo: '8101', brand: true },
    // This customer still waits for an answer: never closed as quiet.
    { id: '8103', author: '62', text: 'where is my refund', at: '2026-03-02T10:30:00Z' },
  ]);
  await analyze(t.db, handleId, '2026-03-02T11:00:00Z');

  expect(await closeQuietCases(t.db, new Date('2026-03-05T10:19:00Z'))).toBe(0);
  expect(await closeQuietCases(t.db, new Date('2026-03-05T10:21:00Z'))).toBe(1);
  const [answered, waiting] = await cases(handleId);
  expect(answered).toMatchObject({ customer_id: '61', state: 'closed', close_reason: 'quiet' });
  // Closed at the end of the quiet period, as `replywatch analyze` closes it, not when the sweep ran.
  expect(answered!.closed_at!.toISOString()).toBe('2026-03-05T10:20:00.000Z');
  expect(answered!.summary).toMatchObject({ state: 'closed', closedAt: Date.parse('2026-03-05T10:20:00Z') });
  expect(waiting).toMatchObject({ customer_id: '62', state: 'open', closed_at: null });
  // A second sweep finds nothing more.
  expect(await closeQuietCases(t.db, new Date('2026-03-05T10:31:00Z'))).toBe(0);

  await addTweets(t.db, handleId, handle, [{ id: '8104', author: '61', text: 'it is dropping again', at: '2026-03-06T09:00:00Z' }]);
  await analyze(t.db, handleId, '2026-03-06T09:00:05Z');
  const after = await cases(handleId);
  expect(after.map((c) => [c.customer_id, c.state])).toEqual([
    ['61', 'closed'],
    ['62', 'open'],
    ['61', 'open'],
  ]);
});
