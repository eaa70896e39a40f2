// One source of truth: TWCS replayed through the database and the analyzer gives the same cases as `replywatch analyze`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { analyzeFile, loadSetups } from '../../src/cli/analyze.ts';
import { slaDb } from '../../src/db/sla.schema.ts';
import { caseRecord } from '../../src/domain/case-summary.ts';
import { closeIfQuiet, type CaseState } from '../../src/domain/cases.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';
import { analyzeHandle } from '../../workers/analyze-handle.ts';
import { loadTwcs } from './twcs-load.ts';

const FILE = process.env.EQUALITY_FILE ?? '/work/shared/data/twcs-sample.csv';
let t: TestDb;
let out: string;
beforeAll(async () => {
  t = await createTestDb();
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-eq-'));
});
afterAll(async () => {
  await t?.destroy();
  fs.rmSync(out, { recursive: true, force: true });
});

it('gives every case the same metrics, flags and replies as `replywatch analyze` on the same file', async () => {
  const { summary } = await analyzeFile(FILE, { out });
  const expected = new Map<string, Record<string, unknown>>();
  for (const line of fs.readFileSync(path.join(out, 'cases.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    expected.set(r.case_id, r);
  }
  expect(expected.size).toBe(summary.cases);

  const { asOf, handleIds, links } = await loadTwcs(t.db, FILE);
  const canned = new CannedDetector();
  let analyzed = 0;
  for (const handleId of handleIds) {
    // Small batches on purpose: cases span batch boundaries and must resume from the stored state.
    const r = await analyzeHandle(t.db, handleId, { now: () => new Date(asOf), canned, batchSize: 700, maxBatches: 1000 });
    analyzed += r.tweets;
  }
  expect(analyzed).toBe(links);

  const setupOf = loadSetups(undefined, undefined, {});
  const rows = await slaDb(t.db).selectFrom('cases').select(['case_key', 'summary', 'first_response_seconds', 'first_response_business_seconds', 'next_response_seconds', 'customer_tweets', 'brand_replies', 'nudges']).execute();
  const actual = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const state = row.summary as unknown as CaseState;
    // `analyze` ends by closing the cases that went quiet before the end of the file; the database closes them on the next tweet.
    const setup = setupOf(state.handle);
    closeIfQuiet(state, asOf, setup.policy);
    const rec = caseRecord(state, setup, asOf);
    actual.set(rec.case_id, rec);
    // The row's columns carry the same numbers as the state they were written from.
    expect([row.first_response_seconds, row.first_response_business_seconds, row.next_response_seconds, row.customer_tweets, row.brand_replies, row.nudges]).toEqual([
      rec.first_response_seconds,
      rec.first_response_business_seconds,
      rec.next_response_seconds,
      rec.customer_tweets,
      rec.brand_replies,
      rec.nudges,
    ]);
  }
  expect(actual.size).toBe(expected.size);
  const mismatched = [...expected.keys()].filter((k) => JSON.stringify(actual.get(k)) !== JSON.stringify(expected.get(k)));
  const diff = (k: string) => {
    const e = expected.get(k)!;
    const a = actual.get(k) ?? {};
    return { case: k, fields: Object.keys(e).filter((f) => JSON.stringify(e[f]) !== JSON.stringify(a[f])).map((f) => ({ f, e: e[f], a: a[f] })) };
  };
  expect({ count: mismatched.length, first: mismatched.slice(0, 4).map(diff) }).toEqual({ count: 0, first: [] });
  expect(summary.cases).toBeGreaterThan(5000);
}, 300_000);
