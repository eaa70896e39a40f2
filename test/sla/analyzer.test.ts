// The analyzer on real PostgreSQL: cases, breaches, timers and alerts from hand-built timelines whose answers we know.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, pendingJobs, seedHandle } from './helpers.ts';
import { checkDeadline } from '../../workers/check-deadline.ts';
import { slaDb } from '../../src/db/sla.schema.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const cases = (handleId: number) => slaDb(t.db).selectFrom('cases').selectAll().where('handle_id', '=', handleId).orderBy('opened_at').orderBy('id').execute();
const breaches = (handleId: number) => t.db.selectFrom('breaches').selectAll().where('handle_id', '=', handleId).orderBy('id').execute();
const alerts = (handleId: number) => t.db.selectFrom('alerts').selectAll().where('handle_id', '=', handleId).orderBy('id').execute();

describe('analyze_handle', () => {
  it('a reply at 59 minutes is in time; at 61 minutes it is a breach logged with its due time', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall' } });
    await addTweets(t.db, handleId, handle, [
      { id: '101', author: '501', text: 'my parcel never arrived', at: '2026-03-02T10:00:00Z' },
      { id: '102', author: '502', text: 'my parcel never arrived either', at: '2026-03-02T10:00:00Z' },
      { id: '103', author: handle, text: 'Sorry! It is on its way now, it arrives tomorrow.', at: '2026-03-02T10:59:00Z', replyTo: '101', brand: true },
      { id: '104', author: handle, text: 'Sorry! It is on its way now, it arrives tomorrow.', at: '2026-03-02T11:01:00Z', replyTo: '102', brand: true },
    ]);
    const res = await analyze(t.db, handleId, '2026-03-02T12:00:00Z');
    expect(res).toMatchObject({ tweets: 4, more: false });
    const c = await cases(handleId);
    expect(c.map((x) => [x.customer_id, x.first_response_seconds, x.awaiting_since])).toEqual([
      ['501', 3540, null],
      ['502', 3660, null],
    ]);
    const b = await breaches(handleId);
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ case_id: c[1].id, metric: 'first_response', sequence: 0, clock: 'wall', target_seconds: 3600, actual_seconds: 3660, over_by_seconds: 60 });
    expect(b[0].due_at.toISOString()).toBe('2026-03-02T11:00:00.000Z');
    expect(b[0].answered_at!.toISOString()).toBe('2026-03-02T11:01:00.000Z');
    // Answered before anyone was told: nothing waits, so no timer and no alert.
    expect(await pendingJobs(t.db, `deadline:${c[1].id}:`)).toEqual([]);
    expect(await alerts(handleId)).toEqual([]);
    // Classifications: one row per tweet with the case it joined and the customer it was routed to.
    const cls = await slaDb(t.db).selectFrom('tweet_classifications').select(['tweet_id', 'case_id', 'customer_id', 'role', 'kind']).where('handle_id', '=', handleId).orderBy('tweet_id').execute();
    expect(cls.map((x) => [x.tweet_id, x.case_id, x.customer_id, x.role])).toEqual([
      ['101', c[0].id, '501', 'customer'],
      ['102', c[1].id, '502', 'customer'],
      ['103', c[0].id, '501', 'brand'],
      ['104', c[1].id, '502', 'brand'],
    ]);
  });

  it('plans timers for a waiting customer, fires warning and breach stamped with their due time, then resolves on the answer', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall', warnRatios: [0.5, 0.8] } });
    await addTweets(t.db, handleId, handle, [{ id: '201', author: '601', text: 'still no refund, this is ridiculous', at: '2026-03-02T10:00:00Z' }]);
    await analyze(t.db, handleId, '2026-03-02T10:10:00Z');
    const [c] = await cases(handleId);
    expect(c).toMatchObject({ wait_metric: 'first_response', wait_seq: 0 });
    expect(c.next_due_at!.toISOString()).toBe('2026-03-02T11:00:00.000Z');
    const jobs = await pendingJobs(t.db, `deadline:${c.id}:`);
    expect(jobs.map((j) => [j.key, j.run_at.toISOString()])).toEqual([
      [`deadline:${c.id}:first_response:0:warn50`, '2026-03-02T10:30:00.000Z'],
      [`deadline:${c.id}:first_response:0:warn80`, '2026-03-02T10:48:00.000Z'],
      [`deadline:${c.id}:first_response:0:breach`, '2026-03-02T11:00:00.000Z'],
      [`deadline:${c.id}:unanswered:0:horizon`, '2026-03-02T14:00:00.000Z'],
    ]);

    const p = (level: string, metric = 'first_response') => ({ caseId: c.id, metric: metric as 'first_response', seq: 0, level });
    expect(await checkDeadline(t.db, p('warn80'), new Date('2026-03-02T10:40:00Z'))).toBe('early');
    expect(await checkDeadline(t.db, p('warn80'), new Date('2026-03-02T10:48:00.300Z'))).toBe('raised');
    expect(await checkDeadline(t.db, p('warn80'), new Date('2026-03-02T10:48:01Z'))).toBe('duplicate');
    expect(await checkDeadline(t.db, p('breach'), new Date('2026-03-02T11:00:00.700Z'))).toBe('raised');
    expect(await checkDeadline(t.db, p('breach'), new Date('2026-03-02T11:00:02Z'))).toBe('duplicate');
    let a = await alerts(handleId);
    expect(a.map((x) => [x.kind, x.dedup_key, x.due_at?.toISOString(), x.raised_at.toISOString(), x.state])).toEqual([
      ['sla_warning', `sla_warning:${c.id}:first_response:0:warn80`, '2026-03-02T10:48:00.000Z', '2026-03-02T10:48:00.300Z', 'open'],
      ['sla_breach', `sla_breach:${c.id}`, '2026-03-02T11:00:00.000Z', '2026-03-02T11:00:00.700Z', 'open'],
    ]);
    let b = await breaches(handleId);
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ alert_id: a[1].id, answered_at: null, target_seconds: 3600 });
    expect(b[0].due_at.toISOString()).toBe('2026-03-02T11:00:00.000Z');

    // The brand answers at 11:20: breach completed, SLA alerts resolved, the horizon timer removed.
    await addTweets(t.db, handleId, handle, [{ id: '202', author: handle, text: 'So sorry, the refund is done now.', at: '2026-03-02T11:20:00Z', replyTo: '201', brand: true }]);
    await analyze(t.db, handleId, '2026-03-02T11:20:05Z');
    b = await breaches(handleId);
    expect(b[0]).toMatchObject({ actual_seconds: 4800, over_by_seconds: 1200 });
    expect(b[0].answered_at!.toISOString()).toBe('2026-03-02T11:20:00.000Z');
    a = await alerts(handleId);
    expect(a.map((x) => [x.kind, x.state, x.resolution])).toEqual([
      ['sla_warning', 'resolved', 'answered'],
      ['sla_breach', 'resolved', 'answered'],
    ]);
    expect(await pendingJobs(t.db, `deadline:${c.id}:`)).toEqual([]);
    // A stale timer that fires anyway finds nobody waiting.
    expect(await checkDeadline(t.db, p('horizon', 'unanswered'), new Date('2026-03-02T14:00:00Z'))).toBe('stale');
  });

  it('reopens the case breach alert on its next breach; both breaches stay in the log', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall', warnRatios: [] } });
    await addTweets(t.db, handleId, handle, [{ id: '301', author: '602', text: 'where is my order', at: '2026-03-02T10:00:00Z' }]);
    await analyze(t.db, handleId, '2026-03-02T10:00:05Z');
    const [c] = await cases(handleId);
    expect(await checkDeadline(t.db, { caseId: c.id, metric: 'first_response', seq: 0, level: 'breach' }, new Date('2026-03-02T11:00:01Z'))).toBe('raised');
    await addTweets(t.db, handleId, handle, [
      { id: '302', author: handle, text: '@602 Sorry! It is on its way now, it arrives tomorrow.', at: '2026-03-02T11:10:00Z', replyTo: '301', brand: true },
      { id: '303', author: '602', text: 'it did not arrive, where is it now?', at: '2026-03-02T12:00:00Z', replyTo: '302' },
    ]);
    await analyze(t.db, handleId, '2026-03-02T12:00:05Z');
    let [a] = await alerts(handleId);
    expect(a).toMatchObject({ kind: 'sla_breach', state: 'resolved', resolution: 'answered' });
    expect((await cases(handleId))[0]).toMatchObject({ wait_metric: 'next_response', wait_seq: 1 });
    expect(await checkDeadline(t.db, { caseId: c.id, metric: 'next_response', seq: 1, level: 'breach' }, new Date('2026-03-02T13:00:02Z'))).toBe('raised');
    const all = await alerts(handleId);
    expect(all).toHaveLength(1);
    a = all[0];
    expect(a).toMatchObject({ id: a.id, dedup_key: `sla_breach:${c.id}`, state: 'open', resolution: null });
    expect(a.due_at!.toISOString()).toBe('2026-03-02T13:00:00.000Z');
    expect(a.title).toMatch(/next response target of 1h missed/);
    const b = await breaches(handleId);
    expect(b.map((x) => [x.metric, x.sequence, x.due_at.toISOString(), x.answered_at?.toISOString() ?? null, x.alert_id])).toEqual([
      ['first_response', 0, '2026-03-02T11:00:00.000Z', '2026-03-02T11:10:00.000Z', a.id],
      ['next_response', 1, '2026-03-02T13:00:00.000Z', null, a.id],
    ]);
  });
});
