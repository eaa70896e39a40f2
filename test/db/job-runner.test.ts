// Proves the job runner survives PostgreSQL going away: no crash, a new runner once the database is back, no job lost.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations, type Task, type WorkerEvents } from 'graphile-worker';
import { createDb } from '../../src/db/connect.ts';
import { addJob } from '../../src/db/jobs.ts';
import { startJobLiveness } from '../../src/db/job-liveness.ts';
import { startSupervisedRunner } from '../../src/job-runner.ts';
import { createLogger } from '../../src/log.ts';
import { graphileLogger } from '../../src/graphile-logger.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { eventually } from '../alerts/harness.ts';

let t: TestDb;
let proxy: TcpProxy;
beforeAll(async () => {
  t = await createTestDb();
  await runMigrations({ pgPool: t.pool });
  proxy = await startTcpProxy(t.url);
});
afterAll(async () => {
  await proxy.close();
  await t.destroy();
});

describe('supervised job runner', () => {
  it('restarts the runner after its worker dies with the database, frees the dead worker\'s job and runs it again', async () => {
    // The service's pool, through the proxy: its connections die when the proxy goes down.
    const { db, pool } = createDb(proxy.url, 5);
    // A connection opened before the runner (graphile-worker guards only those made while it runs) and checked out
    // when the server goes away, as a poll holds its advisory lock's: its drop must not be an uncaught 'error' event,
    // which would end the process.
    const held = await pool.connect();
    expect(held.listenerCount('error')).toBeGreaterThan(0);
    const events = new EventEmitter() as WorkerEvents;
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const taskList: Record<string, Task> = {
      // Holds its job until the database is gone, so that completing the job fails.
      slow: async () => {
        runs.push('slow');
        await gate;
      },
      quick: async (payload) => {
        runs.push(`quick ${(payload as { n: number }).n}`);
      },
    };
    const down: string[] = [];
    const liveness = startJobLiveness({ databaseUrl: proxy.url, pool, events, log: createLogger('silent'), sweepEveryMs: 100, graceSeconds: 1 });
    const runner = await startSupervisedRunner({
      options: { pgPool: pool, events, taskList, concurrency: 2, noHandleSignals: true, pollInterval: 100, logger: graphileLogger(createLogger('silent')) },
      log: createLogger('silent'),
      onDown: () => down.push('down'),
      onUp: () => down.push('up'),
      minDelayMs: 100,
      maxDelayMs: 400,
    });
    try {
      await addJob(t.db, 'slow', {});
      await eventually(async () => runs.includes('slow'), 30_000, 'the slow job to start');

      // The server goes away: every connection drops and new ones are refused for a while.
      await proxy.down();
      await expect(held.query('select 1')).rejects.toThrow();
      held.release(true);
      release();
      await eventually(async () => down.includes('down'), 30_000, 'the runner to notice');
      // Still down: the supervisor keeps asking, and jobs added meanwhile wait in the queue.
      await new Promise((r) => setTimeout(r, 600));
      expect(runner.restarts).toBe(0);
      await addJob(t.db, 'quick', { n: 1 });
      await proxy.up();

      await eventually(async () => runner.restarts === 1, 30_000, 'the runner to restart');
      expect(down).toEqual(['down', 'up']);
      await eventually(async () => runs.includes('quick 1'), 30_000, 'the queued job to run');
      await addJob(t.db, 'quick', { n: 2 });
      await eventually(async () => runs.includes('quick 2'), 30_000, 'a job added after the restart to run');
      // The job the dead worker held is freed by the liveness sweep and runs again; nothing is left in the queue.
      await eventually(async () => runs.filter((r) => r === 'slow').length === 2, 30_000, 'the slow job to run again');
      await eventually(async () => (await t.pool.query('select count(*)::int as n from graphile_worker._private_jobs')).rows[0].n === 0, 30_000, 'the queue to empty');
    } finally {
      release();
      await runner.stop();
      await liveness();
      await db.destroy();
    }
  }, 60_000);
});
