// Owns replaying a TWCS file through the ingest path: brands become handles, time is shifted to now and compressed by `speed`.
import type { Db } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import type { Tweet } from '../domain/types.ts';
import type { TweetRecord } from '../domain/x-tweet.ts';
import { readTwcs } from '../sources/twcs.ts';
import { abortableSleep } from '../sleep.ts';
import { ensureHandles } from '../db/handle.repository.ts';
import { ingestBatch, type IngestBatch, type IngestResult } from '../db/ingest.repository.ts';
import type { TweetLink } from '../db/tweet.repository.ts';

/** Ids of loop n are shifted by n times this, far above TWCS ids (< 3.1M), so loops never collide. */
export const LOOP_ID_SHIFT = 10_000_000_000n;

export interface ReplayOptions {
  file: string;
  format?: 'twcs' | 'jsonl';
  /** Data seconds per real second (600 = 10 minutes a second). Infinity ingests as fast as possible. */
  speed: number;
  loop?: boolean;
  clock: () => Date;
  signal?: AbortSignal;
  log: Logger;
  batchSize?: number;
}

export interface ReplayResult {
  tweets: number;
  linked: number;
  loops: number;
  handles: number;
}

/** Union-find over reply links: a conversation whose brand answers only several hops later still belongs to that brand. */
class Threads {
  private parent = new Map<string, string>();
  find(id: string): string {
    let root = id;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression keeps later look-ups flat.
    for (let cur = id, p = this.parent.get(cur); p !== undefined && p !== root; cur = p, p = this.parent.get(cur)) this.parent.set(cur, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

interface Scan {
  brandOf: Map<string, string>;
  brands: string[];
  /** Brands answering in each conversation (keyed by the thread root). */
  threadBrands: Map<string, Set<string>>;
  threads: Threads;
  firstMs?: number;
}

/** First pass: which tweet ids brands wrote and which brands answer each conversation. Memory grows with the file. */
async function scanBrands(file: string, format: ReplayOptions['format']): Promise<Scan> {
  const brandOf = new Map<string, string>();
  const brands = new Map<string, string>();
  const threads = new Threads();
  let firstMs: number | undefined;
  for await (const batch of readTwcs(file, { format })) {
    for (const t of batch) {
      firstMs ??= t.createdAt.getTime();
      if (t.inReplyToTweetId) threads.union(t.id, t.inReplyToTweetId);
      for (const r of t.responseTweetIds ?? []) threads.union(t.id, r);
      if (!t.isBrand) continue;
      brandOf.set(t.id, t.authorId);
      if (!brands.has(t.authorId.toLowerCase())) brands.set(t.authorId.toLowerCase(), t.authorId);
    }
  }
  const threadBrands = new Map<string, Set<string>>();
  for (const [id, brand] of brandOf) {
    const root = threads.find(id);
    const set = threadBrands.get(root) ?? new Set<string>();
    set.add(brand);
    threadBrands.set(root, set);
  }
  return { brandOf, brands: [...brands.values()], threadBrands, threads, firstMs };
}

/** Which handles a tweet belongs to: its brand author, or the brands it replies to, is answered by, or mentions. */
export function handlesOf(t: Tweet, brandOf: Map<string, string>, brandByLower: Map<string, string>, threadBrands: (id: string) => Iterable<string>): string[] {
  if (t.isBrand) return [t.authorId];
  const out = new Set<string>();
  const parentBrand = t.inReplyToTweetId ? brandOf.get(t.inReplyToTweetId) : undefined;
  if (parentBrand) out.add(parentBrand);
  for (const r of t.responseTweetIds ?? []) {
    const b = brandOf.get(r);
    if (b) out.add(b);
  }
  for (const m of t.mentions) {
    const b = brandByLower.get(m.toLowerCase());
    if (b) out.add(b);
  }
  // Otherwise the brands that answer somewhere in its conversation (a nudge, or a reply several hops away).
  if (!out.size) for (const b of threadBrands(t.id)) out.add(b);
  return [...out];
}

function shiftId(id: string | undefined, shift: bigint): string | undefined {
  return id === undefined || shift === 0n ? id : (BigInt(id) + shift).toString();
}

/**
 * ingestBatch, again and again while the database is away (a restart, a dropped connection): the batch is one
 * transaction of upserts, so a retry stores it once. Gives up only when the replay is stopped (undefined then).
 */
async function storeRetrying(db: Db, batch: IngestBatch, log: Logger, signal?: AbortSignal): Promise<IngestResult | undefined> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 30_000)) {
    try {
      return await ingestBatch(db, batch);
    } catch (err) {
      if (signal?.aborted) return undefined;
      log.warn({ err, tweets: batch.records.length, retryInMs: delay }, 'storing replayed tweets failed (database away?); retrying');
      await abortableSleep(delay, signal);
      if (signal?.aborted) return undefined;
    }
  }
}

export async function replayFile(db: Db, opts: ReplayOptions): Promise<ReplayResult> {
  const { brandOf, brands, threadBrands, threads, firstMs } = await scanBrands(opts.file, opts.format);
  const brandsOfThread = (id: string) => threadBrands.get(threads.find(id)) ?? [];
  const handleIds = await ensureHandles(db, brands);
  const brandByLower = new Map(brands.map((b) => [b.toLowerCase(), b]));
  const result: ReplayResult = { tweets: 0, linked: 0, loops: 0, handles: handleIds.size };
  if (firstMs === undefined) return result;
  const log = opts.log.child({ name: 'replay', file: opts.file });
  log.info({ brands: brands.length, speed: opts.speed, loop: !!opts.loop }, 'replay starting');

  do {
    const shift = LOOP_ID_SHIFT * BigInt(result.loops);
    const startMs = opts.clock().getTime();
    const at = (ms: number) => startMs + (ms - firstMs) / opts.speed;
    let records: TweetRecord[] = [];
    let links: TweetLink[] = [];

    const flush = async () => {
      if (!records.length) return;
      const out = await storeRetrying(db, { source: 'twcs', records, links }, log, opts.signal);
      if (!out) return;
      result.tweets += records.length;
      for (const n of out.linked.values()) result.linked += n;
      records = [];
      links = [];
    };

    for await (const batch of readTwcs(opts.file, { format: opts.format, batchSize: opts.batchSize ?? 5000 })) {
      for (const t of batch) {
        if (opts.signal?.aborted) break;
        const due = Number.isFinite(opts.speed) ? at(t.createdAt.getTime()) : startMs;
        const wait = due - opts.clock().getTime();
        // Flush what is due before waiting, so each tweet appears at (about) its shifted time.
        if (wait > 50) {
          await flush();
          await abortableSleep(wait, opts.signal);
          if (opts.signal?.aborted) break;
        }
        const owners = handlesOf(t, brandOf, brandByLower, brandsOfThread);
        const tweet: Tweet = {
          ...t,
          id: shiftId(t.id, shift)!,
          inReplyToTweetId: shiftId(t.inReplyToTweetId, shift),
          conversationId: shiftId(t.conversationId, shift),
          responseTweetIds: t.responseTweetIds?.map((r) => shiftId(r, shift)!),
          createdAt: new Date(Math.max(due, startMs)),
        };
        records.push({ tweet });
        for (const o of owners) {
          const handleId = handleIds.get(o);
          if (handleId !== undefined) links.push({ handleId, tweetId: tweet.id, role: t.isBrand ? 'brand' : 'customer', createdAt: tweet.createdAt });
        }
        if (records.length >= (opts.batchSize ?? 5000)) await flush();
      }
      if (opts.signal?.aborted) break;
    }
    await flush();
    result.loops++;
    log.info({ loop: result.loops, tweets: result.tweets }, 'replay pass finished');
  } while (opts.loop && !opts.signal?.aborted);
  return result;
}
