// A worker killed with SIGKILL mid-run loses no update and raises no alert twice: the rerun ends where an uninterrupted run ends.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import type { Db } from '../../src/db/connect.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';
import { analyzeHandle } from '../../workers/analyze-handle.ts';
import { loadTwcs } from './twcs-load.ts';

const FILE = '/work/shared/data/twcs-sample.csv';
const LIMIT = 6000;
let ref: TestDb;
let crashed: TestDb;
beforeAll(async () => {
  [ref, crashed] = await Promise.all([createTestDb(), createTestDb()]);
});
afterAll(async () => {
  await ref?.destroy();
  await crashed?.destroy();
});

async function analyzeAll(db: Db, handleIds: number[], asOf: number) {
  const canned = new CannedDetector();
  for (const h of handleIds) await analyzeHandle(db, h, { now: () => new Date(asOf), canned, batchSize: 200, maxBatches: 10_000 });
}

/** Everything the analyzer writes, in a comparable form; `canned` too, which the rerun's fresh process rebuilds from the stored replies. */
async function snapshot(db: Db) {
  const cases = await sql<{ case_key: string; s: string }>`select case_key, summary::jsonb::text as s from cases order by case_key`.execute(db);
  const cls = await sql<{ n: string }>`select count(*)::text as n from tweet_classifications`.execute(db);
  const canned = await sql<{ id: string }>`select tweet_id::text as id from tweet_classifications where 'canned' = any(flags) order by tweet_id`.execute(db);
  const alerts = await sql<{ k: string }>`select dedup_key || '|' || kind || '|' || severity || '|' || state || '|' || coalesce(due_at::text, '') as k from alerts order by 1`.execute(db);
  const breaches = await sql<{ k: string }>`select c.case_key || '|' || metric || '|' || sequence || '|' || due_at::text || '|' || coalesce(answered_at::text, '') as k from breaches b join cases c on c.id = b.case_id order by 1`.execute(db);
  const jobs = await sql<{ k: string }>`select regexp_replace(key, ':[0-9]+:', ':') || '|' || run_at::text as k from graphile_worker._private_jobs where key like 'deadline:%' order by 1`.execute(db);
  const activity = await sql<{ k: string }>`select handle_id || '|' || bucket::text || '|' || customer_tweets || '|' || brand_tweets as k from handle_activity order by 1`.execute(db);
  return { cases: cases.rows, classifications: Number(cls.rows[0].n), canned: canned.rows.map((r) => r.id), alerts: alerts.rows.map((r) => r.k), breaches: breaches.rows.map((r) => r.k), jobs: jobs.rows.length, activity: activity.rows.map((r) => r.k) };
}

it('SIGKILL in the middle of analysis, then a rerun, equals one uninterrupted run', async () => {
  const [a, b] = await Promise.all([loadTwcs(ref.db, FILE, LIMIT), loadTwcs(crashed.db, FILE, LIMIT)]);
  expect(b.handleIds).toEqual(a.handleIds);
  await analyzeAll(ref.db, a.handleIds, a.asOf);

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'analyze-child.ts'), crashed.url, String(b.asOf), ...b.handleIds.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let batches = 0;
  const killed = await new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      batches += chunk.toString().split('\n').filter((l) => l.startsWith('batch')).length;
      // Kill while it is inside the next batch's transaction (it starts one right after printing).
      if (batches >= 8 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL'));
  });
  expect(killed).toBe(true);
  const done = await sql<{ n: string }>`select count(*)::text as n from tweet_classifications`.execute(crashed.db);
  // Part of the work was committed, not all of it.
  expect(Number(done.rows[0].n)).toBeGreaterThan(0);
  expect(Number(done.rows[0].n)).toBeLessThan(b.links);

  await analyzeAll(crashed.db, b.handleIds, b.asOf);
  const [want, got] = await Promise.all([snapshot(ref.db), snapshot(crashed.db)]);
  expect(got.classifications).toBeGreaterThan(5000);
  expect(got.alerts.length).toBeGreaterThan(0);
  expect(got.canned.length).toBeGreaterThan(0);
  expect(got).toEqual(want);
  // Each alert once: the dedup keys are unique however often a batch was retried.
  expect(new Set(got.alerts.map((k) => k.split('|')[0])).size).toBe(got.alerts.length);
}, 240_000);
