// Deadlines on a real graphile-worker runner: the analyzer job plans timers, and the warning and breach rows appear at their due times, stamped with them.
import { run, type Runner } from 'graphile-worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, seedHandle } from './helpers.ts';
import { addJob } from '../../src/db/jobs.ts';
import { silentGraphileLogger } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';
import { systemClock, type Deps } from '../../src/deps.ts';
import { analyzer } from '../../workers/analyzer.ts';

let t: TestDb;
let runner: Runner | undefined;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await runner?.stop();
  await t?.destroy();
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('fires sla_warning and sla_breach at their due times, once, with due_at stamped', async () => {
  const deps = { db: t.db, pool: t.pool, clock: systemClock, log: createLogger('silent') } as unknown as Deps;
  runner = await run({ pgPool: t.pool, taskList: analyzer.tasks!(deps), concurrency: 4, pollInterval: 200, noHandleSignals: true, logger: silentGraphileLogger });
  // A 60-second target with a warning at 90 %: a customer who wrote 50 s ago is warned in about 4 s and breached in about 10 s.
  const { handleId, handle } = await seedHandle(t.db, { policy: { clock: 'wall', firstResponseMinutes: 1, warnRatios: [0.9] } });
  const wroteAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 50_000);
  await addTweets(t.db, handleId, handle, [{ id: '4001', author: '990', text: 'where is my order', at: wroteAt }]);
  // As ingestion does after committing tweets.
  await addJob(t.db, 'analyze_handle', { handleId }, { jobKey: `analyze_handle:${handleId}`, jobKeyMode: 'preserve_run_at' });

  const alerts = await waitFor('two alerts', async () => {
    const rows = await t.db.selectFrom('alerts').selectAll().where('handle_id', '=', handleId).orderBy('id').execute();
    return rows.length >= 2 ? rows : undefined;
  });
  expect(alerts.map((a) => [a.kind, a.due_at!.toISOString()])).toEqual([
    ['sla_warning', new Date(wroteAt.getTime() + 54_000).toISOString()],
    ['sla_breach', new Date(wroteAt.getTime() + 60_000).toISOString()],
  ]);
  // Raised at or after the due time, never before it.
  for (const a of alerts) expect(a.raised_at.getTime()).toBeGreaterThanOrEqual(a.due_at!.getTime());
  const breach = await t.db.selectFrom('breaches').selectAll().where('handle_id', '=', handleId).executeTakeFirstOrThrow();
  expect(breach.due_at.toISOString()).toBe(alerts[1].due_at!.toISOString());
  expect(breach.alert_id).toBe(alerts[1].id);
  console.log(`deadline -> alert row: ${alerts.map((a) => `${a.kind} ${a.raised_at.getTime() - a.due_at!.getTime()} ms`).join(', ')}`);

  // The brand answers: the analyzer job resolves the breach alert and completes the breach row.
  await addTweets(t.db, handleId, handle, [{ id: '4002', author: handle, text: '@990 Sorry! It is on its way now, it arrives tomorrow.', at: new Date(), replyTo: '4001', brand: true }]);
  await addJob(t.db, 'analyze_handle', { handleId }, { jobKey: `analyze_handle:${handleId}`, jobKeyMode: 'preserve_run_at' });
  const answered = await waitFor('the breach answered', async () => {
    const b = await t.db.selectFrom('breaches').selectAll().where('id', '=', breach.id).executeTakeFirstOrThrow();
    return b.answered_at ? b : undefined;
  });
  expect(answered.over_by_seconds).toBeGreaterThan(0);
  const states = await t.db.selectFrom('alerts').select(['kind', 'state', 'resolution']).where('handle_id', '=', handleId).orderBy('id').execute();
  expect(states).toEqual([
    { kind: 'sla_warning', state: 'resolved', resolution: 'answered' },
    { kind: 'sla_breach', state: 'resolved', resolution: 'answered' },
  ]);
}, 60_000);
