import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startFakeX, type FakeX } from '../fakes/fake-x.ts';
import { pollHandle } from '../../src/ingest/poll-handle.ts';
import { expectedIds, fixtureClone, pollContext, seedHandles, storedIds, T0 } from './helpers.ts';

/** The budget month of the tests' clock (T0 is the current hour, so the month is today's). */
const MONTH = T0.toISOString().slice(0, 7);

let t: TestDb;
let fake: FakeX;
let ids: Map<string, number>;
const dbs: TestDb[] = [];

beforeEach(async () => {
  t = await createTestDb();
  dbs.push(t);
  fake = await startFakeX(fixtureClone());
  ids = await seedHandles(t);
});
afterEach(async () => {
  await fake.stop();
});
afterAll(async () => {
  for (const d of dbs) await d.destroy();
});

const timelineRequests = () => fake.requests.filter((r) => r.userId || r.path.includes('search'));

describe('polling a handle', () => {
  it('stores exactly the tweets served, across pages and restarts, and only new ones afterwards', async () => {
    const acme = ids.get('AcmeHelp')!;
    const first = await pollHandle(pollContext(t, fake), acme);
    expect(first.status).toBe('ok');
    const want = expectedIds(fake, 'AcmeHelp');
    expect(want.size).toBeGreaterThan(200); // more than two pages of mentions
    expect(new Set(await storedIds(t, acme))).toEqual(want);
    expect(fake.requests.some((r) => r.query.pagination_token)).toBe(true);
    const handle = await t.db.selectFrom('handles').selectAll().where('id', '=', acme).executeTakeFirstOrThrow();
    expect(handle.x_user_id).toBe(fake.userByName('AcmeHelp')!.id);

    // A restart (fresh context) reads from the stored since_id: nothing is served twice.
    const before = fake.requests.length;
    const again = await pollHandle(pollContext(t, fake), acme);
    expect(again.inserted).toBe(0);
    const restartRequests = fake.requests.slice(before);
    expect(restartRequests.every((r) => r.query.since_id)).toBe(true);
    expect(restartRequests.flatMap((r) => r.returnedIds)).toEqual([]);

    // New posts arrive: the next poll stores exactly them.
    const user = fake.userByName('AcmeHelp')!;
    const fresh = ['1869999999999990001', '1869999999999990002'].map((id, i) => ({
      id,
      text: `@AcmeHelp new complaint ${i}`,
      author_id: fake.users[5].id,
      created_at: new Date(T0.getTime() - 3_600_000).toISOString(),
      edit_history_tweet_ids: [id],
      entities: { mentions: [{ start: 0, end: 9, username: 'AcmeHelp', id: user.id }] },
    }));
    fake.posts.push(...fresh);
    const third = await pollHandle(pollContext(t, fake), acme);
    expect(third.inserted).toBe(2);
    expect(new Set(await storedIds(t, acme))).toEqual(expectedIds(fake, 'AcmeHelp'));

    // Roles from the handle's view, raw JSON and author kept beside the tweet, reads counted.
    const roles = await t.db.selectFrom('tweet_handles').select(['role']).where('handle_id', '=', acme).execute();
    const brandCount = fake.posts.filter((p) => p.author_id === user.id).length;
    expect(roles.filter((r) => r.role === 'brand')).toHaveLength(brandCount);
    const one = await t.db.selectFrom('tweets').selectAll().where('id', '=', fresh[0].id).executeTakeFirstOrThrow();
    expect(one.author_username).toBe(fake.users[5].username);
    expect((one.raw as { data: { id: string } }).data.id).toBe(fresh[0].id);
    expect(one.mentions).toEqual(['AcmeHelp']);
    const served = fake.requests.reduce((n, r) => n + r.returnedIds.length, 0);
    const usage = await t.db.withTables<{ x_read_usage: { month: string; reads: string } }>().selectFrom('x_read_usage').selectAll().execute();
    expect(usage).toEqual([expect.objectContaining({ month: T0.toISOString().slice(0, 7), reads: String(served) })]);
    // The analyzer is woken through one keyed job per handle.
    const jobs = await t.pool.query(`select key from graphile_worker._private_jobs where key like 'analyze_handle:%'`);
    expect(jobs.rows).toEqual([{ key: `analyze_handle:${acme}` }]);
  });

  it('waits for the reset on 429 and resumes at the next page without losing or re-reading a tweet', async () => {
    const acme = ids.get('AcmeHelp')!;
    fake.faults.rateLimit = { count: 1, resetInSeconds: 2, after: 1 };
    let now = T0;
    // The fake's reset is in real time, so the clock jumps to it; a week of backfill still covers the fixture.
    const env = { X_BACKFILL_HOURS: '168' };
    const first = await pollHandle(pollContext(t, fake, { clock: () => now, env }), acme);
    expect(first.status).toBe('rate_limited');
    expect(await storedIds(t, acme)).toHaveLength(100);
    const reset = first.nextRunAt!;
    expect(reset.getTime()).toBeGreaterThan(Date.now());

    // Before the reset the poller makes no request at all (the limit is shared through the database).
    const served = fake.requests.length;
    const early = await pollHandle(pollContext(t, fake, { clock: () => now, env }), acme);
    expect(early.status).toBe('rate_limited');
    expect(fake.requests.length).toBe(served);

    now = new Date(reset.getTime() + 1000);
    const after = await pollHandle(pollContext(t, fake, { clock: () => now, env }), acme);
    expect(after.status).toBe('ok');
    expect(new Set(await storedIds(t, acme))).toEqual(expectedIds(fake, 'AcmeHelp'));
    const returned = fake.requests.flatMap((r) => r.returnedIds);
    expect(returned.length).toBe(new Set(returned).size);
    expect(fake.requests[served].query.pagination_token).toBeTruthy();
  });

  it('retries 5xx and cut-off bodies with jittered backoff and still stores everything', async () => {
    const globex = ids.get('GlobexCare')!;
    fake.faults.serverError = { count: 2, status: 503 };
    fake.faults.cutOff = { count: 1 };
    const sleeps: number[] = [];
    const out = await pollHandle(pollContext(t, fake, { sleeps }), globex);
    expect(out.status).toBe('ok');
    // The cut-off user lookup is retried once, then the mentions call twice with a doubling (jittered) delay.
    expect(sleeps).toEqual([250, 250, 500]);
    expect(new Set(await storedIds(t, globex))).toEqual(expectedIds(fake, 'GlobexCare'));
    expect(fake.requests.filter((r) => r.status === 503)).toHaveLength(2);
    expect(fake.requests.filter((r) => r.status === -1)).toHaveLength(1);
  });

  it('keeps the handle alive and backs off when X stays down', async () => {
    const globex = ids.get('GlobexCare')!;
    fake.faults.serverError = { count: 100, status: 500 };
    const out = await pollHandle(pollContext(t, fake), globex);
    expect(out.status).toBe('failed');
    expect(out.nextRunAt!.getTime()).toBeGreaterThan(T0.getTime());
    const h = await t.db.selectFrom('handles').selectAll().where('id', '=', globex).executeTakeFirstOrThrow();
    expect(h.health).toBe('degraded');
    expect(h.health_detail).toMatch(/500/);
  });

  it('records errors[] of a 200 response and keeps the data', async () => {
    const initech = ids.get('InitechSupport')!;
    const problem = { value: '1850000000000000001', detail: 'Could not find tweet with referenced_tweets.id: [1850000000000000001].', title: 'Not Found Error', resource_type: 'tweet', parameter: 'referenced_tweets.id', resource_id: '1850000000000000001', type: 'https://api.twitter.com/2/problems/resource-not-found' };
    fake.faults.partialErrors = { count: 1, errors: [problem] };
    const out = await pollHandle(pollContext(t, fake), initech);
    expect(out.status).toBe('ok');
    expect(new Set(await storedIds(t, initech))).toEqual(expectedIds(fake, 'InitechSupport'));
    const errors = await t.db.selectFrom('tweet_errors').selectAll().execute();
    expect(errors).toEqual([expect.objectContaining({ handle_id: initech, resource_id: problem.resource_id, type: problem.type, title: 'Not Found Error' })]);
  });

  it('keeps one row with the latest text when a tweet is edited', async () => {
    const initech = ids.get('InitechSupport')!;
    await pollHandle(pollContext(t, fake), initech);
    const count = (await storedIds(t, initech)).length;
    const original = fake.posts.find((p) => p.author_id !== fake.userByName('InitechSupport')!.id && p.text.includes('InitechSupport'))!;
    fake.edit(original.id, '1869999999999999990', '@InitechSupport edited: the router is still down');
    const out = await pollHandle(pollContext(t, fake), initech);
    expect(out.status).toBe('ok');
    expect(await storedIds(t, initech)).toHaveLength(count);
    const row = await t.db.selectFrom('tweets').selectAll().where('id', '=', original.id).executeTakeFirstOrThrow();
    expect(row.text).toBe('@InitechSupport edited: the router is still down');
    expect(row.edit_history).toEqual([original.id, '1869999999999999990']);
    expect(await t.db.selectFrom('tweets').select('id').where('id', '=', '1869999999999999990').executeTakeFirst()).toBeUndefined();
  });

  it('stops a handle whose requests X refuses (401) and goes on with the others', async () => {
    fake.faults.unauthorized = new Set(['GlobexCare']);
    const outs = new Map<string, Awaited<ReturnType<typeof pollHandle>>>();
    for (const [name, id] of ids) outs.set(name, await pollHandle(pollContext(t, fake), id));
    expect(outs.get('GlobexCare')).toMatchObject({ status: 'stopped', nextRunAt: null });
    expect(outs.get('AcmeHelp')!.status).toBe('ok');
    expect(outs.get('InitechSupport')!.status).toBe('ok');
    const h = await t.db.selectFrom('handles').selectAll().where('handle', '=', 'GlobexCare').executeTakeFirstOrThrow();
    expect(h.health).toBe('unauthorized');
    expect(h.health_detail).toMatch(/401/);
    expect(new Set(await storedIds(t, ids.get('InitechSupport')!))).toEqual(expectedIds(fake, 'InitechSupport'));
    const served = fake.requests.length;
    expect((await pollHandle(pollContext(t, fake), ids.get('GlobexCare')!)).status).toBe('stopped');
    expect(fake.requests.length).toBe(served);
  });

  it('marks a usage-capped app and raises a budget alert instead of waiting for the reset', async () => {
    fake.faults.rateLimit = { count: 1, resetInSeconds: 1, usageCapped: true };
    const out = await pollHandle(pollContext(t, fake), ids.get('AcmeHelp')!);
    expect(out.status).toBe('failed');
    const h = await t.db.selectFrom('handles').selectAll().where('handle', '=', 'AcmeHelp').executeTakeFirstOrThrow();
    expect(h.health).toBe('usage_capped');
    const alerts = await t.db.selectFrom('alerts').selectAll().execute();
    expect(alerts).toEqual([expect.objectContaining({ kind: 'budget', severity: 'critical', dedup_key: `budget:${MONTH}:100` })]);
  });

  it('warns at 80 % of the monthly read budget and pauses at 100 %', async () => {
    const env = { X_MONTHLY_READ_BUDGET: '350' };
    await pollHandle(pollContext(t, fake, { env }), ids.get('AcmeHelp')!); // 306 reads
    let alerts = await t.db.selectFrom('alerts').select(['dedup_key', 'severity', 'kind']).orderBy('id').execute();
    expect(alerts).toEqual([{ dedup_key: `budget:${MONTH}:80`, severity: 'warning', kind: 'budget' }]);
    await pollHandle(pollContext(t, fake, { env }), ids.get('GlobexCare')!);
    alerts = await t.db.selectFrom('alerts').select(['dedup_key', 'severity', 'kind']).orderBy('id').execute();
    expect(alerts.map((a) => a.dedup_key)).toEqual([`budget:${MONTH}:80`, `budget:${MONTH}:100`]);
    const served = fake.requests.length;
    const paused = await pollHandle(pollContext(t, fake, { env }), ids.get('InitechSupport')!);
    expect(paused.status).toBe('budget_exhausted');
    // Paused until the next month starts (UTC).
    expect(paused.nextRunAt).toEqual(new Date(Date.UTC(T0.getUTCFullYear(), T0.getUTCMonth() + 1, 1)));
    expect(fake.requests.length).toBe(served);
  });

  it('lets only one poll of a handle run at a time (advisory lock)', async () => {
    fake.faults.slowMs = 150;
    const acme = ids.get('AcmeHelp')!;
    const [a, b] = await Promise.all([pollHandle(pollContext(t, fake), acme), pollHandle(pollContext(t, fake), acme)]);
    expect([a.status, b.status].sort()).toEqual(['locked', 'ok']);
    expect(fake.maxInFlight).toBe(1);
    expect(new Set(await storedIds(t, acme))).toEqual(expectedIds(fake, 'AcmeHelp'));
  });

  it('uses recent search with "@handle OR from:handle" in search mode', async () => {
    const acme = ids.get('AcmeHelp')!;
    const out = await pollHandle(pollContext(t, fake, { env: { X_POLL_MODE: 'search' } }), acme);
    expect(out.status).toBe('ok');
    expect(timelineRequests().every((r) => r.query.query === '@AcmeHelp OR from:AcmeHelp')).toBe(true);
    expect(new Set(await storedIds(t, acme))).toEqual(expectedIds(fake, 'AcmeHelp'));
  });
});
