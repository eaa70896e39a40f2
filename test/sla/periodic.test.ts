// Surge (against the usual level for the hour of the week, with a breach forecast) and handle silence, on real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, pendingJobs, seedHandle, type T } from './helpers.ts';
import { detectSurge } from '../../workers/detect-surge.ts';
import { checkSilence } from '../../workers/check-silence.ts';
import type { Calendar } from '../../src/domain/types.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const alerts = (handleId: number) => t.db.selectFrom('alerts').select(['kind', 'severity', 'dedup_key', 'title', 'reasons', 'details']).where('handle_id', '=', handleId).orderBy('id').execute();
const WEEK = 7 * 86_400_000;
const policyName = async (handleId: number) =>
  (await t.db.selectFrom('handles').innerJoin('policies', 'policies.id', 'handles.policy_id').select('policies.name').where('handles.id', '=', handleId).executeTakeFirstOrThrow()).name;

describe('surge', () => {
  it('30 customers in ten minutes on a handle that usually gets 6 an hour is a surge, with a forecast', async () => {
    const { handleId, handle } = await seedHandle(t.db);
    const now = new Date('2026-03-02T10:12:00Z');
    const usual: T[] = [];
    // The same hour of the week over the previous four weeks: 6 mentions an hour, each answered.
    for (let w = 1; w <= 4; w++) {
      for (let i = 0; i < 6; i++) {
        const at = new Date(now.getTime() - w * WEEK - 12 * 60_000 + i * 9 * 60_000);
        usual.push({ id: `9${w}${i}0`, author: `8${w}${i}`, text: 'where is my order', at });
        usual.push({ id: `9${w}${i}1`, author: handle, text: `@8${w}${i} Sorry! It is on its way now, it arrives tomorrow.`, at: new Date(at.getTime() + 120_000), replyTo: `9${w}${i}0`, brand: true });
      }
    }
    await addTweets(t.db, handleId, handle, usual);
    await analyze(t.db, handleId, new Date(now.getTime() - WEEK + 3_600_000));
    // A normal hour is no surge.
    expect((await detectSurge(t.db, handleId, new Date(now.getTime() - WEEK))).raised).toBe(false);

    const burst: T[] = Array.from({ length: 30 }, (_, i) => ({ id: `7${String(i).padStart(3, '0')}`, author: `6${String(i).padStart(3, '0')}`, text: 'is your service down? nothing works', at: new Date(now.getTime() - 10 * 60_000 + i * 19_000) }));
    await addTweets(t.db, handleId, handle, burst);
    await analyze(t.db, handleId, now);
    expect(await pendingJobs(t.db, `detect_surge:${handleId}`)).toHaveLength(1);
    const r = await detectSurge(t.db, handleId, now);
    expect(r).toMatchObject({ raised: true, mentions: 30, baselinePerHour: 6 });
    const [a] = await alerts(handleId);
    expect(a).toMatchObject({ kind: 'surge', severity: 'critical', dedup_key: `surge:${handleId}:2026-03-02T10:00:00.000Z` });
    expect(a.details).toMatchObject({ mentions: 30, expected: 1, openCases: 30, repliesLastHour: 0, forecastBreaches: 30 });
    expect(a.reasons[2]).toBe('at the current reply rate (0/h) 30 cases will breach in the next hour');
    // Once per handle and hour.
    expect((await detectSurge(t.db, handleId, new Date(now.getTime() + 60_000))).raised).toBe(false);
    expect(await alerts(handleId)).toHaveLength(1);
  });
});

describe('surge thresholds from the policy', () => {
  const burst = (prefix: string, n: number, now: Date): T[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(3, '0')}`, author: `5${prefix}${String(i).padStart(3, '0')}`, text: 'is your app down?', at: new Date(now.getTime() - 9 * 60_000 + i * 30_000) }));

  it('a small team sets a lower bar, a big brand a higher one; the reasons say which bar was used', async () => {
    const now = new Date('2026-03-03T15:12:00Z');
    const small = await seedHandle(t.db, { policy: { clock: 'wall', surgeMinMentions: 10, surgeFactor: 2 } });
    await addTweets(t.db, small.handleId, small.handle, burst('41', 12, now));
    await analyze(t.db, small.handleId, now);
    expect((await detectSurge(t.db, small.handleId, now)).raised).toBe(true);
    const [a] = await alerts(small.handleId);
    expect(a.kind).toBe('surge');
    expect(a.reasons).toContain(`a surge is at least 10 customer tweets and 2× the usual level (policy ${(await policyName(small.handleId))})`);

    // The same 12 tweets are no surge under the default bar (20), nor 30 under a bar of 40.
    const plain = await seedHandle(t.db, { policy: { clock: 'wall' } });
    await addTweets(t.db, plain.handleId, plain.handle, burst('42', 12, now));
    await analyze(t.db, plain.handleId, now);
    expect((await detectSurge(t.db, plain.handleId, now)).raised).toBe(false);
    const big = await seedHandle(t.db, { policy: { clock: 'wall', surgeMinMentions: 40 } });
    await addTweets(t.db, big.handleId, big.handle, burst('43', 30, now));
    await analyze(t.db, big.handleId, now);
    expect((await detectSurge(t.db, big.handleId, now)).raised).toBe(false);
    expect(await alerts(big.handleId)).toHaveLength(0);
  });
});

describe('handle_silent', () => {
  const office: Calendar = { name: 'office', timezone: 'UTC', hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'] }, holidays: [] };

  it('fires once during stated hours when the handle posts nothing while cases wait, not when closed', async () => {
    const { handleId, handle } = await seedHandle(t.db, { calendar: office, policy: { clock: 'business', silentAfterMinutes: 45 } });
    await addTweets(t.db, handleId, handle, [
      { id: '5001', author: '901', text: 'where is my order', at: '2026-03-02T08:00:00Z' },
      { id: '5002', author: handle, text: '@901 Sorry! It is on its way now, it arrives tomorrow.', at: '2026-03-02T09:05:00Z', replyTo: '5001', brand: true },
      { id: '5003', author: '902', text: 'my parcel never arrived', at: '2026-03-02T09:10:00Z' },
    ]);
    await analyze(t.db, handleId, '2026-03-02T09:11:00Z');
    // 40 minutes of silence while 902 waits: not yet.
    expect(await checkSilence(t.db, new Date('2026-03-02T09:50:00Z'))).not.toContain(handleId);
    expect(await checkSilence(t.db, new Date('2026-03-02T09:56:00Z'))).toContain(handleId);
    expect(await checkSilence(t.db, new Date('2026-03-02T09:57:00Z'))).not.toContain(handleId);
    const a = await alerts(handleId);
    expect(a.map((x) => [x.kind, x.dedup_key])).toEqual([['handle_silent', `handle_silent:${handleId}:2026-03-02T09:05:00.000Z`]]);
    expect(a[0].title).toMatch(/has posted nothing for 46 min of stated hours while 1 cases wait/);
  });

  it('does not count closed hours as silence', async () => {
    const { handleId, handle } = await seedHandle(t.db, { calendar: office, policy: { clock: 'business', silentAfterMinutes: 45 } });
    await addTweets(t.db, handleId, handle, [{ id: '5101', author: '903', text: 'my parcel never arrived', at: '2026-03-02T16:50:00Z' }]);
    await analyze(t.db, handleId, '2026-03-02T16:51:00Z');
    // Closed at 18:00 (and only 10 business minutes by 09:00 next day), open at 09:20 with 30 minutes.
    expect(await checkSilence(t.db, new Date('2026-03-02T18:00:00Z'))).not.toContain(handleId);
    expect(await checkSilence(t.db, new Date('2026-03-03T09:20:00Z'))).not.toContain(handleId);
    expect(await checkSilence(t.db, new Date('2026-03-03T09:36:00Z'))).toContain(handleId);
  });
});
