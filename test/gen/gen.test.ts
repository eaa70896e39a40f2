// Proves `replywatch gen` writes a corpus the project's TWCS reader accepts, keeping the sample's per-brand reply times and conversation shapes, deterministically.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTwcs, type MalformedRow } from '../../src/sources/twcs.ts';
import { mapXPage, type XPage } from '../../src/domain/x-tweet.ts';
import type { Tweet } from '../../src/domain/types.ts';
import { loadCorpusModel, writeCorpus } from '../../src/sources/twcs-generator.ts';
import type { CorpusModel } from '../../src/domain/corpus-model.ts';
import { DEFAULT_SAMPLE } from '../../src/cli/gen.ts';
import { runCli } from '../helpers/cli.ts';
import { corpusStats, median, type CorpusStats } from './corpus-stats.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-gen-'));
const N = 60_000;

async function load(file: string, malformed: MalformedRow[] = []): Promise<Tweet[]> {
  const out: Tweet[] = [];
  for await (const b of readTwcs(file, { onMalformed: (m) => malformed.push(m) })) for (const t of b) out.push(t);
  return out;
}

let source: CorpusStats;
let generated: Tweet[];
let stats: CorpusStats;
let malformed: MalformedRow[];
let model: CorpusModel;

beforeAll(async () => {
  const file = path.join(dir, 'gen.csv');
  model = await loadCorpusModel(DEFAULT_SAMPLE);
  const summary = await writeCorpus(model, { tweets: N, handles: 120, seed: 7, startMs: Date.parse('2017-10-01T00:00:00Z'), spanMs: 7 * 86_400_000, format: 'twcs' }, file);
  expect(summary.tweets).toBe(N);
  malformed = [];
  generated = await load(file, malformed);
  stats = corpusStats(generated);
  source = corpusStats(await load(DEFAULT_SAMPLE));
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('replywatch gen (TWCS)', () => {
  it('writes exactly N well-formed rows, unique ids, in time order', () => {
    expect(malformed).toEqual([]);
    expect(generated).toHaveLength(N);
    expect(new Set(generated.map((t) => t.id)).size).toBe(N);
    for (let i = 1; i < generated.length; i++) expect(generated[i]!.createdAt >= generated[i - 1]!.createdAt).toBe(true);
    // Snowflake-style ids grow with time, as X ids do, so since_id paging over the corpus is meaningful.
    const ids = generated.map((t) => BigInt(t.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });

  it('keeps every reply link inside the file and the brand as a non-numeric author', () => {
    const ids = new Set(generated.map((t) => t.id));
    const replies = generated.filter((t) => t.inReplyToTweetId);
    expect(replies.length).toBeGreaterThan(N / 3);
    expect(replies.every((t) => ids.has(t.inReplyToTweetId!))).toBe(true);
    expect(generated.filter((t) => t.isBrand).every((t) => !/^\d+$/.test(t.authorId))).toBe(true);
  });

  it('writes the number of handles asked for, copying the sample\'s brands past its own', () => {
    const handles = new Set(generated.filter((t) => t.isBrand).map((t) => t.authorId));
    expect(handles.size).toBeGreaterThan(95);
    expect(handles.size).toBeLessThanOrEqual(120);
    expect(handles.has('AmazonHelp')).toBe(true);
    expect(handles.has('AmazonHelp_1')).toBe(true);
  });

  it('keeps each big brand\'s median first-response time within 15% of the sample\'s', () => {
    for (const brand of ['AmazonHelp', 'AppleSupport', 'ChipotleTweets', 'Uber_Support', 'TMobileHelp']) {
      const real = median(source.firstResponse.get(brand)!);
      const gen = median(stats.firstResponse.get(brand)!);
      expect(stats.firstResponse.get(brand)!.length).toBeGreaterThan(300);
      expect(Math.abs(gen - real) / real, `${brand}: sample ${real}s, generated ${gen}s`).toBeLessThan(0.15);
    }
  });

  it('keeps conversation shapes and the text mix', () => {
    expect(Math.abs(stats.brandShare - source.brandShare)).toBeLessThan(0.03);
    expect(Math.abs(stats.meanTweetsPerConversation - source.meanTweetsPerConversation) / source.meanTweetsPerConversation).toBeLessThan(0.1);
    expect(Math.abs(stats.nudgeShare - source.nudgeShare)).toBeLessThan(0.02);
    expect(Math.abs(stats.dmShare - source.dmShare)).toBeLessThan(0.03);
  });

  it('substitutes handles and customer ids into real texts', () => {
    const clone = generated.find((t) => !t.isBrand && t.text.includes('@AmazonHelp_1'));
    expect(clone).toBeDefined();
    // A brand reply addresses the customer it answers by the generated id, not the sample's.
    const byId = new Map(generated.map((t) => [t.id, t]));
    const addressed = generated.filter((t) => t.isBrand && t.inReplyToTweetId && byId.get(t.inReplyToTweetId) && !byId.get(t.inReplyToTweetId)!.isBrand);
    const named = addressed.filter((t) => t.text.includes('@' + byId.get(t.inReplyToTweetId!)!.authorId));
    expect(named.length / addressed.length).toBeGreaterThan(0.9);
  });
});

describe('replywatch gen (CLI)', () => {
  it('writes the file and says what it wrote', async () => {
    const file = path.join(dir, 'cli.csv');
    const res = await runCli(['gen', '--tweets', '2000', '--handles', '5', '--seed', '9', '--out', file]);
    expect(res.stderr).toContain('wrote 2000 tweets');
    expect(res.code).toBe(0);
    const tweets = await load(file);
    expect(tweets).toHaveLength(2000);
    expect(new Set(tweets.filter((t) => t.isBrand).map((t) => t.authorId)).size).toBeLessThanOrEqual(5);
  });
});

describe('corpus generator', () => {
  async function hash(seed: number, format: 'twcs' | 'x-json'): Promise<{ sha: string; file: string }> {
    const file = path.join(dir, `d-${seed}-${format}`);
    await writeCorpus(model, { tweets: 3000, handles: 10, seed, startMs: Date.parse('2026-01-01T00:00:00Z'), spanMs: 86_400_000, format }, file);
    return { sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), file };
  }

  it('is deterministic for a seed and differs across seeds', async () => {
    expect((await hash(3, 'twcs')).sha).toBe((await hash(3, 'twcs')).sha);
    expect((await hash(3, 'twcs')).sha).not.toBe((await hash(4, 'twcs')).sha);
  });

  it('writes X API v2 pages that map to the same tweets as the TWCS form', async () => {
    const { file } = await hash(5, 'x-json');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const head = JSON.parse(lines[0]!) as { users: { id: string; username: string }[] };
    expect(head.users).toHaveLength(10);
    const userIds = new Map(head.users.map((u) => [u.id, u.username]));
    const pages = lines.slice(1).map((l) => JSON.parse(l) as XPage);
    expect(pages).toHaveLength(3000);
    const twcs = await load((await hash(5, 'twcs')).file);
    for (let i = 0; i < pages.length; i++) {
      const post = pages[i]!.data![0]!;
      const rec = mapXPage(pages[i]!, userIds.has(post.author_id!) ? post.author_id! : 'nobody');
      expect(rec[0]!.tweet.id).toBe(twcs[i]!.id);
      expect(rec[0]!.tweet.text).toBe(twcs[i]!.text);
      expect(rec[0]!.tweet.isBrand).toBe(twcs[i]!.isBrand);
      expect(rec[0]!.tweet.inReplyToTweetId).toBe(twcs[i]!.inReplyToTweetId);
      expect(rec[0]!.tweet.createdAt.getTime()).toBe(twcs[i]!.createdAt.getTime());
      if (post.in_reply_to_user_id) expect(post.in_reply_to_user_id).toMatch(/^\d+$/);
    }
  });
});
