import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startFakeX, type FakeX } from '../fakes/fake-x.ts';
import { addJob } from '../../src/db/jobs.ts';
import { migrate } from '../../src/db/migrate.ts';
import { expectedIds, fixtureClone, HANDLES, seedHandles } from './helpers.ts';

let t: TestDb;
let fake: FakeX;
const children: ChildProcess[] = [];
let configFile: string;

beforeEach(async () => {
  t = await createTestDb();
  await migrate(t.db, t.url);
  const fixture = fixtureClone();
  // The children use the real clock: move the fixture into the last hours so the backfill covers it.
  const base = Date.now() - 6 * 3600_000;
  fixture.posts.forEach((p, i) => (p.created_at = new Date(base + i * 30_000).toISOString()));
  fake = await startFakeX(fixture);
  await seedHandles(t);
  configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rw-poller-')), 'replywatch.config.yaml');
  fs.writeFileSync(configFile, `handles:\n${HANDLES.map((h) => `  - { handle: ${h}, team: support }`).join('\n')}\n`);
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fake.stop();
  await t.destroy();
});

function startPoller(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'poller-child.ts')], {
    cwd: path.join(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      REPLYWATCH_CONFIG: configFile,
      X_BEARER_TOKEN: 'test-token',
      X_API_BASE_URL: fake.url,
      X_API_ALLOW_HTTP: '1',
      X_BACKFILL_HOURS: '12',
      REPLAY_ENABLED: '0',
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`poller exited early (${code}): ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

async function allStored(): Promise<boolean> {
  for (const h of HANDLES) {
    const row = await t.db.selectFrom('tweet_handles').innerJoin('handles', 'handles.id', 'tweet_handles.handle_id').select((eb) => eb.fn.countAll<string>().as('n')).where('handles.handle', '=', h).executeTakeFirstOrThrow();
    if (Number(row.n) < expectedIds(fake, h).size) return false;
  }
  return true;
}

async function until(pred: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function expectEveryTweetOnce() {
  for (const h of HANDLES) {
    const rows = await t.db.selectFrom('tweet_handles').innerJoin('handles', 'handles.id', 'tweet_handles.handle_id').select('tweet_id').where('handles.handle', '=', h).execute();
    expect(rows.map((r) => r.tweet_id).sort()).toEqual([...expectedIds(fake, h)].sort());
  }
  const all = new Set(HANDLES.flatMap((h) => [...expectedIds(fake, h)]));
  const count = await t.db.selectFrom('tweets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  expect(Number(count.n)).toBe(all.size);
}

describe('poller processes', () => {
  it('a poller killed with SIGKILL mid-batch and restarted ends with every tweet stored once', { timeout: 90_000 }, async () => {
    fake.faults.slowMs = 250;
    const first = await startPoller();
    // Kill while requests are in flight and some pages are already stored.
    await fake.waitFor(() => fake.requests.filter((r) => r.returnedIds.length).length >= 2 && [...fake.inFlight.values()].some((n) => n > 0));
    first.kill('SIGKILL');
    await exited(first);
    expect(await allStored()).toBe(false);
    const servedBefore = fake.requests.length;

    fake.faults.slowMs = 0;
    const second = await startPoller();
    await until(allStored);
    expect(fake.requests.length).toBeGreaterThan(servedBefore);
    second.kill('SIGTERM');
    await exited(second);
    await expectEveryTweetOnce();
  });

  it('two poller processes never poll the same handle at once', { timeout: 90_000 }, async () => {
    fake.faults.slowMs = 100;
    const handles = await t.db.selectFrom('handles').select('id').execute();
    // Duplicate jobs (no key) make both processes try the same handles at the same time.
    for (let i = 0; i < 3; i++) for (const h of handles) await addJob(t.db, 'poll_handle', { handleId: h.id });
    await Promise.all([startPoller(), startPoller()]);
    await until(allStored);
    // Let the duplicates drain: no job left but the keyed ones planned for later.
    await until(async () => {
      const r = await t.pool.query(`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'poll_handle' and (j.key is null or j.locked_at is not null)`);
      return r.rows[0].n === 0;
    });
    expect(fake.maxInFlight).toBe(1);
    await expectEveryTweetOnce();
    const keyed = await t.pool.query(`select key, run_at from graphile_worker._private_jobs where key like 'poll:%' order by key`);
    expect(keyed.rows.map((r) => r.key).sort()).toEqual(handles.map((h) => `poll:${h.id}`).sort());
  });
});
