// Proves the liveness sweeper frees jobs whose worker process is gone and leaves those of live workers alone.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations, type WorkerEvents } from 'graphile-worker';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addJob } from '../../src/db/jobs.ts';
import { startJobLiveness } from '../../src/db/job-liveness.ts';
import { createLogger } from '../../src/log.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { eventually } from '../alerts/harness.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await runMigrations({ pgPool: t.pool });
});
afterAll(() => t.destroy());

async function lockedBy(key: string): Promise<string | null> {
  const r = await t.pool.query<{ locked_by: string | null }>('select locked_by from graphile_worker._private_jobs where key = $1', [key]);
  return r.rows[0]!.locked_by;
}

describe('job liveness', () => {
  it('deletes a dead worker\'s job that its own replacement superseded, and frees the replacement', async () => {
    await addJob(t.db, 'some_task', { n: 1 }, { jobKey: 'replaced' });
    // What graphile-worker does when a running job re-adds itself under its key: the running one loses the key and
    // its remaining attempts, a new job takes the key. Then the process dies.
    await t.pool.query(`update graphile_worker._private_jobs set locked_by = 'worker-gone', locked_at = now() - interval '1 minute', key = null, attempts = max_attempts where key = 'replaced'`);
    await addJob(t.db, 'some_task', { n: 2 }, { jobKey: 'replaced' });
    const husks = () => t.pool.query(`select count(*)::int as n from graphile_worker._private_jobs where locked_by = 'worker-gone'`).then((r) => r.rows[0].n as number);
    expect(await husks()).toBe(1);
    const events = new EventEmitter() as WorkerEvents;
    const stop = startJobLiveness({ databaseUrl: t.url, pool: t.pool, events, log: createLogger('silent'), sweepEveryMs: 100, graceSeconds: 5 });
    try {
      for (let i = 0; i < 100 && (await husks()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await husks()).toBe(0);
      const left = await t.pool.query(`select payload from graphile_worker._private_jobs where key = 'replaced'`);
      expect(left.rows.map((r) => r.payload)).toEqual([{ n: 2 }]);
    } finally {
      await stop();
    }
  });

  it('unlocks the jobs of a dead worker, not those of a live one or of this process', async () => {
    for (const k of ['dead', 'alive', 'mine']) await addJob(t.db, 'some_task', {}, { jobKey: k });
    // Locked a minute ago, as a worker does when it takes a job.
    const lock = (key: string, worker: string) =>
      t.pool.query(`update graphile_worker._private_jobs set locked_by = $2, locked_at = now() - interval '1 minute' where key = $1`, [key, worker]);
    await lock('dead', 'worker-dead');
    await lock('alive', 'worker-alive');
    await lock('mine', 'worker-mine');
    // Another live process holds its worker's liveness lock on its own session.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    await other.query(`select pg_advisory_lock(${0x7277}, hashtext('worker-alive'))`);

    const events = new EventEmitter() as WorkerEvents;
    const stop = startJobLiveness({ databaseUrl: t.url, pool: t.pool, events, log: createLogger('silent'), sweepEveryMs: 100, graceSeconds: 5 });
    events.emit('worker:create', { worker: { workerId: 'worker-mine' } } as never);
    try {
      for (let i = 0; i < 100 && (await lockedBy('dead')) !== null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await lockedBy('dead')).toBeNull();
      expect(await lockedBy('alive')).toBe('worker-alive');
      expect(await lockedBy('mine')).toBe('worker-mine');

      // The other process dies: its session ends, its lock with it, and its job is freed.
      await other.end();
      for (let i = 0; i < 100 && (await lockedBy('alive')) !== null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await lockedBy('alive')).toBeNull();
      expect(await lockedBy('mine')).toBe('worker-mine');
    } finally {
      await stop();
    }
  });

  it('opens its session again after a partition: a connection attempt the network swallows times out instead of stopping the sweeps', async () => {
    await addJob(t.db, 'some_task', {}, { jobKey: 'behind-partition' });
    await t.pool.query(`update graphile_worker._private_jobs set locked_by = 'worker-lost', locked_at = now() - interval '1 minute' where key = 'behind-partition'`);
    // The liveness session goes through a network that accepts and then drops every packet; the pool does not.
    const proxy = await startTcpProxy(t.url);
    await proxy.blackhole();
    const events = new EventEmitter() as WorkerEvents;
    const stop = startJobLiveness({ databaseUrl: proxy.url, pool: t.pool, events, log: createLogger('silent'), sweepEveryMs: 100, graceSeconds: 5, connectTimeoutMs: 300 });
    try {
      // No session, no verdict: nothing is freed while it cannot hold its own workers' locks.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await lockedBy('behind-partition')).toBe('worker-lost');
      // The network heals. The first attempt is still silent (blackholed connections stay so); without a bound on it
      // the sweeper would wait on it forever and never free the job.
      await proxy.up();
      await eventually(async () => (await lockedBy('behind-partition')) === null, 15_000, 'the dead worker\'s job to be freed');
    } finally {
      await stop();
      await proxy.close();
    }
  });
});
