// Hand-built conversations through the analyzer: deflection chain, callback offer, nudges, escalation, churn, business hours, VIP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, pendingJobs, seedHandle } from './helpers.ts';
import { slaDb } from '../../src/db/sla.schema.ts';
import { linkTweetHandles, upsertTweets } from '../../src/db/tweet.repository.ts';
import type { Calendar } from '../../src/domain/types.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const alerts = (handleId: number) => t.db.selectFrom('alerts').select(['kind', 'severity', 'dedup_key', 'tweet_id', 'reasons', 'state']).where('handle_id', '=', handleId).orderBy('id').execute();
const oneCase = (handleId: number) => slaDb(t.db).selectFrom('cases').selectAll().where('handle_id', '=', handleId).executeTakeFirstOrThrow();
const breaches = (handleId: number) => t.db.selectFrom('breaches').selectAll().where('handle_id', '=', handleId).execute();

const london: Calendar = {
  name: 'london',
  timezone: 'Europe/London',
  hours: { mon: ['08:00-22:00'], tue: ['08:00-22:00'], wed: ['08:00-22:00'], thu: ['08:00-22:00'], fri: ['08:00-22:00'], sat: ['08:00-22:00'], sun: ['08:00-22:00'] },
  holidays: ['2026-03-05'],
};

describe('deflection', () => {
  it('"please use our chat" then "*thud*": deflected, then a critical deflected alert for the comeback', async () => {
    const { handleId, handle } = await seedHandle(t.db);
    await addTweets(t.db, handleId, handle, [
      { id: '1001', author: '701', text: 'my internet has been down all day, this is useless', at: '2026-03-02T10:00:00Z' },
      { id: '1002', author: handle, text: '@701 Please use our live chat at https://example.com/chat so we can help.', at: '2026-03-02T10:05:00Z', replyTo: '1001', brand: true },
    ]);
    await analyze(t.db, handleId, '2026-03-02T10:06:00Z');
    let a = await alerts(handleId);
    expect(a.map((x) => [x.kind, x.severity, x.tweet_id])).toEqual([['deflected', 'warning', '1002']]);
    expect(a[0].reasons[0]).toBe('complaint answered only with channel_redirect');
    const c = await oneCase(handleId);
    expect(a[0].dedup_key).toBe(`deflected:${c.id}`);

    await addTweets(t.db, handleId, handle, [{ id: '1003', author: '701', text: '*thud*', at: '2026-03-02T10:30:00Z', replyTo: '1002' }]);
    await analyze(t.db, handleId, '2026-03-02T10:31:00Z');
    a = await alerts(handleId);
    expect(a.map((x) => [x.kind, x.severity, x.dedup_key, x.tweet_id])).toEqual([
      ['deflected', 'warning', `deflected:${c.id}`, '1002'],
      ['deflected', 'critical', `deflected:${c.id}:unhappy`, '1003'],
    ]);
    // The comeback started a next-response wait with its own timers.
    expect(await oneCase(handleId)).toMatchObject({ wait_metric: 'next_response', wait_seq: 1 });
    expect((await pendingJobs(t.db, `deadline:${c.id}:next_response:1:`)).length).toBe(2);
  });

  it('a callback offer is not a deflection', async () => {
    const { handleId, handle } = await seedHandle(t.db);
    await addTweets(t.db, handleId, handle, [
      { id: '1101', author: '702', text: 'my internet has been down all day, this is useless', at: '2026-03-02T10:00:00Z' },
      { id: '1102', author: handle, text: "@702 We'll give you a call within the hour to sort this out. ^JS", at: '2026-03-02T10:05:00Z', replyTo: '1101', brand: true },
    ]);
    await analyze(t.db, handleId, '2026-03-02T10:06:00Z');
    expect(await alerts(handleId)).toEqual([]);
    const cls = await t.db.selectFrom('tweet_classifications').select(['kind', 'flags']).where('tweet_id', '=', '1102').executeTakeFirstOrThrow();
    expect(cls).toEqual({ kind: 'callback_offer', flags: ['signed'] });
  });
});

describe('waits', () => {
  it('three nudges keep one wait, its start and its timers', async () => {
    const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall', warnRatios: [0.8] } });
    await addTweets(t.db, handleId, handle, [{ id: '1201', author: '703', text: 'my parcel never arrived', at: '2026-03-02T10:00:00Z' }]);
    await analyze(t.db, handleId, '2026-03-02T10:01:00Z');
    const before = await pendingJobs(t.db);
    await addTweets(t.db, handleId, handle, [
      { id: '1202', author: '703', text: 'hello??', at: '2026-03-02T10:20:00Z' },
      { id: '1203', author: '703', text: '*thud*', at: '2026-03-02T10:30:00Z' },
      { id: '1204', author: '703', text: 'still waiting...', at: '2026-03-02T10:40:00Z' },
    ]);
    await analyze(t.db, handleId, '2026-03-02T10:41:00Z');
    const c = await oneCase(handleId);
    expect(c).toMatchObject({ customer_tweets: 4, nudges: 3, wait_seq: 0, wait_metric: 'first_response' });
    expect(c.awaiting_since!.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(await pendingJobs(t.db)).toEqual(before);
    expect(before.filter((j) => j.key.startsWith(`deadline:${c.id}:`)).map((j) => [j.key.split(':').slice(2).join(':'), j.run_at.toISOString()])).toEqual([
      ['first_response:0:warn80', '2026-03-02T10:48:00.000Z'],
      ['first_response:0:breach', '2026-03-02T11:00:00.000Z'],
      ['unanswered:0:horizon', '2026-03-02T14:00:00.000Z'],
    ]);
  });

  it('21:50 complaint to a team closing at 22:00, answered 08:10: no breach on business hours, a breach on the wall clock', async () => {
    const biz = await seedHandle(t.db, { calendar: london, policy: { clock: 'business' } });
    const wall = await seedHandle(t.db, { calendar: london, policy: { clock: 'wall' } });
    for (const h of [biz, wall]) {
      await addTweets(t.db, h.handleId, h.handle, [
        { id: `${h.handleId}01`, author: '704', text: 'my parcel never arrived', at: '2026-03-03T21:50:00Z' },
        { id: `${h.handleId}02`, author: h.handle, text: '@704 Sorry! It is on its way now, it arrives tomorrow.', at: '2026-03-04T08:10:00Z', replyTo: `${h.handleId}01`, brand: true },
      ]);
      await analyze(t.db, h.handleId, '2026-03-04T09:00:00Z');
    }
    expect(await oneCase(biz.handleId)).toMatchObject({ first_response_seconds: 37200, first_response_business_seconds: 1200 });
    expect(await breaches(biz.handleId)).toEqual([]);
    const [b] = await breaches(wall.handleId);
    expect(b).toMatchObject({ clock: 'wall', actual_seconds: 37200, actual_business_seconds: 1200, over_by_seconds: 33600 });
    expect(b.due_at.toISOString()).toBe('2026-03-03T22:50:00.000Z');
  });

  it('a holiday pushes a business-hours deadline to the next open day', async () => {
    const { handleId, handle } = await seedHandle(t.db, { calendar: london, policy: { clock: 'business', warnRatios: [] } });
    // Wed 4 March 21:30; Thursday 5 March is a holiday; 30 business minutes remain for Friday 08:00.
    await addTweets(t.db, handleId, handle, [{ id: '1301', author: '705', text: 'where is my order', at: '2026-03-04T21:30:00Z' }]);
    await analyze(t.db, handleId, '2026-03-04T21:31:00Z');
    const c = await oneCase(handleId);
    expect(c.next_due_at!.toISOString()).toBe('2026-03-06T08:30:00.000Z');
    expect((await pendingJobs(t.db, `deadline:${c.id}:first_response:0:breach`))[0].run_at.toISOString()).toBe('2026-03-06T08:30:00.000Z');
  });

  it('a VIP customer gets the VIP policy', async () => {
    const { handleId, handle } = await seedHandle(t.db, { vip: ['706'], vipPolicy: { clock: 'wall', firstResponseMinutes: 15, warnRatios: [] } });
    await addTweets(t.db, handleId, handle, [
      { id: '1401', author: '706', text: 'where is my order', at: '2026-03-02T10:00:00Z' },
      { id: '1402', author: '707', text: 'where is my order', at: '2026-03-02T10:00:00Z' },
    ]);
    await analyze(t.db, handleId, '2026-03-02T10:01:00Z');
    const rows = await slaDb(t.db).selectFrom('cases').select(['customer_id', 'tier', 'next_due_at']).where('handle_id', '=', handleId).orderBy('customer_id').execute();
    expect(rows.map((r) => [r.customer_id, r.tier, r.next_due_at!.toISOString()])).toEqual([
      ['706', 'vip', '2026-03-02T10:15:00.000Z'],
      ['707', 'standard', '2026-03-02T11:00:00.000Z'],
    ]);
  });

  it('a customer above the follower threshold (from the stored X payload) gets the VIP policy', async () => {
    const { handleId, handle } = await seedHandle(t.db, { vip: ['followers>=10000'], vipPolicy: { clock: 'wall', firstResponseMinutes: 15, warnRatios: [] } });
    const at = new Date('2026-03-02T10:00:00Z');
    const tweet = (id: string, author: string) => ({ id, authorId: author, text: 'where is my order', createdAt: at, mentions: [handle], isBrand: false });
    const payload = (followers: unknown) => ({ id: 'x', author: { id: 'a', public_metrics: { followers_count: followers } } });
    await upsertTweets(
      t.db,
      [
        { tweet: tweet('1411', '711'), raw: payload(25_000) },
        { tweet: tweet('1412', '712'), raw: payload(9_999) },
        { tweet: tweet('1413', '713'), raw: payload('lots') },
        { tweet: tweet('1414', '714') },
      ],
      'test',
    );
    await linkTweetHandles(t.db, ['1411', '1412', '1413', '1414'].map((id) => ({ handleId, tweetId: id, role: 'customer' as const, createdAt: at })));
    await analyze(t.db, handleId, '2026-03-02T10:01:00Z');
    const rows = await slaDb(t.db).selectFrom('cases').select(['customer_id', 'tier', 'next_due_at']).where('handle_id', '=', handleId).orderBy('customer_id').execute();
    expect(rows.map((r) => [r.customer_id, r.tier, r.next_due_at!.toISOString()])).toEqual([
      ['711', 'vip', '2026-03-02T10:15:00.000Z'],
      ['712', 'standard', '2026-03-02T11:00:00.000Z'],
      ['713', 'standard', '2026-03-02T11:00:00.000Z'],
      ['714', 'standard', '2026-03-02T11:00:00.000Z'],
    ]);
  });
});

describe('escalation and churn', () => {
  it('raises escalation (critical) and churn risk once per case', async () => {
    const { handleId, handle } = await seedHandle(t.db);
    await addTweets(t.db, handleId, handle, [
      { id: '1501', author: '708', text: 'I am reporting you to the @FCC and @BBCNews', at: '2026-03-02T10:00:00Z' },
      { id: '1502', author: '708', text: 'I am cancelling my contract and switching to Verizon', at: '2026-03-02T10:05:00Z' },
    ]);
    await analyze(t.db, handleId, '2026-03-02T10:06:00Z');
    await addTweets(t.db, handleId, handle, [{ id: '1503', author: '708', text: 'going to switch provider if this is not fixed', at: '2026-03-02T10:10:00Z' }]);
    await analyze(t.db, handleId, '2026-03-02T10:11:00Z');
    const c = await oneCase(handleId);
    expect((await alerts(handleId)).map((x) => [x.kind, x.severity, x.dedup_key, x.tweet_id])).toEqual([
      ['escalation', 'critical', `escalation:${c.id}`, '1501'],
      ['churn_risk', 'critical', `churn_risk:${c.id}`, '1502'],
    ]);
  });
});
