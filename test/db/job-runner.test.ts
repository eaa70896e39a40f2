// Proves the job runner survives PostgreSQL going away: no crash, a new runner once the database is back, no job lost.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations, type Task, type WorkerEvents } from 'graphile-worker';
import { createDb, probeDatabase } from '../../src/db/connect.ts';
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

  it('counts a silent database (a partition that drops packets, no reset) as down within the probe bound, keeps retrying, and restarts once it answers', async () => {
    // Short bounds so the test does not wait the production ones out; no pool-wide slot timeout is involved.
    const { db, pool } = createDb(proxy.url, 3, { connectTimeoutMs: 500 });
    const events = new EventEmitter() as WorkerEvents;
    const down: string[] = [];
    // The supervisor's warnings, one per probe that found the database not answering.
    const notAnswering: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          if (entry.msg?.startsWith('database not answering')) notAnswering.push(entry.err?.message ?? '');
        }
        cb();
      },
    });
    const ran: string[] = [];
    const runner = await startSupervisedRunner({
      options: { pgPool: pool, events, taskList: { noop: async () => void ran.push('noop') }, concurrency: 1, noHandleSignals: true, pollInterval: 100, logger: graphileLogger(createLogger('silent')) },
      log: createLogger('warn', sink),
      onDown: () => down.push('down'),
      onUp: () => down.push('up'),
      minDelayMs: 100,
      maxDelayMs: 200,
      probeTimeoutMs: 300,
    });
    try {
      // The runner is up and working before the server goes away.
      await addJob(t.db, 'noop', {});
      await eventually(async () => ran.length === 1, 30_000, 'a job to run');
      // The server drops every connection (the runner's workers die), then goes silent: it accepts and reads, never answers.
      await proxy.down();
      await proxy.blackhole();
      events.emit('worker:fatalError', { error: new Error('simulated: the connection was lost'), worker: undefined as never, jobError: null });
      await eventually(async () => down.includes('down'), 30_000, 'the runner to notice');

      // The backoff loop goes on: each probe counts the silent server as down within its bound instead of hanging
      // (without the bound, the first probe waits for the OS TCP timeout, minutes, past this test's own timeout).
      await eventually(async () => notAnswering.filter((m) => m.includes('within 300 ms')).length >= 2, 30_000, 'the supervisor to keep asking');
      // The probe on its own, now that the connections dropped by the server are gone from the pool: a timeout.
      await expect(probeDatabase(pool, 300)).rejects.toThrow(/did not answer select 1 within 300 ms/);
      expect(runner.restarts).toBe(0);

      // The partition heals: new connections are forwarded again and the runner comes back.
      await proxy.up();
      await eventually(async () => runner.restarts === 1, 30_000, 'the runner to restart');
      expect(down).toEqual(['down', 'up']);
      await probeDatabase(pool, 5_000);
    } finally {
      await proxy.up();
      await runner.stop();
      await db.destroy();
    }
  }, 60_000);
});
