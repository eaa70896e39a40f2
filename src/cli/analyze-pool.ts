// Owns the `analyze` worker threads: started before the file is read, fed routed tweets in column batches with backpressure.
import { Worker } from 'node:worker_threads';
import type { Route } from '../domain/routing.ts';
import { ScorecardBuilder, type Period } from '../domain/scorecard.ts';
import type { TweetColumns } from './analyze-columns.ts';
import type { RoutedBatch, WorkerInit, WorkerMessage } from './analyze-worker.ts';

/** Old-generation cap per analyze worker thread, in MB (env REPLYWATCH_ANALYZE_WORKER_MB to change). */
const WORKER_OLD_MB = Number(process.env.REPLYWATCH_ANALYZE_WORKER_MB ?? 1024);
const BATCH = 4096;
/** Backpressure: at most this many batches queued per worker, or the queues would hold a copy of the whole file. */
const MAX_INFLIGHT = 4;

/** Room for texts of this many bytes on average before a batch's text buffer grows. */
const TEXT_BYTES = 192;

/** A RoutedBatch being filled from the columns: the texts are copied as UTF-8, never decoded in this thread. */
class BatchBuilder {
  length = 0;
  private ids = new Float64Array(BATCH);
  private readonly idTexts = new Map<number, string>();
  private readonly authors: string[] = [];
  private textBytes = Buffer.allocUnsafeSlow(BATCH * TEXT_BYTES);
  private textEnds = new Uint32Array(BATCH);
  private used = 0;
  private readonly oddTexts = new Map<number, string>();
  private times = new Float64Array(BATCH);
  private brand = new Uint8Array(BATCH);
  private readonly handles: string[] = [];
  private readonly customers: string[] = [];

  add(cols: TweetColumns, i: number, r: Route): void {
    const j = this.length++;
    const id = cols.ids[i]!;
    this.ids[j] = id;
    if (id !== id) this.idTexts.set(j, cols.id(i));
    this.authors.push(cols.authors[i]!);
    const odd = cols.oddText(i);
    if (odd !== undefined) this.oddTexts.set(j, odd);
    const need = this.used + cols.textByteLength(i);
    if (need > this.textBytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, this.textBytes.length * 2));
      this.textBytes.copy(bigger, 0, 0, this.used);
      this.textBytes = bigger;
    }
    this.used = cols.copyText(i, this.textBytes, this.used);
    this.textEnds[j] = this.used;
    this.times[j] = cols.times[i]!;
    this.brand[j] = cols.brand[i]!;
    this.handles.push(r.handle);
    this.customers.push(r.customerId);
  }

  /** The batch and the buffers to transfer with it (this builder must not be used afterwards). */
  seal(): [RoutedBatch, ArrayBuffer[]] {
    const b: RoutedBatch = { length: this.length, ids: this.ids, idTexts: this.idTexts, authors: this.authors, textBytes: this.textBytes.subarray(0, this.used), textEnds: this.textEnds, oddTexts: this.oddTexts, times: this.times, brand: this.brand, handles: this.handles, customers: this.customers };
    return [b, [this.ids.buffer, this.textBytes.buffer, this.textEnds.buffer, this.times.buffer, this.brand.buffer] as ArrayBuffer[]];
  }
}

export interface PoolResult {
  scorecard: ScorecardBuilder;
  cases: number;
  orphanReplies: number;
}

/**
 * Worker threads for pass 2 of `analyze`: the main thread routes (routing needs every earlier tweet), each worker owns a
 * share of the handles (cases and canned detection are per handle, so the result equals the single-threaded path).
 * They start while the file is still being read, so loading their modules costs no time of its own.
 */
export class AnalyzePool {
  private readonly workers: Worker[];
  private readonly done: Promise<void>[];
  private readonly inflight: number[];
  private readonly wake: ((() => void) | undefined)[];
  private readonly batches: BatchBuilder[];
  private readonly partOf = new Map<string, number>();
  private failure: Error | undefined;
  private write: (chunk: Uint8Array) => Promise<void> = async () => {};
  private writes = Promise.resolve();
  private scorecard: ScorecardBuilder | undefined;
  /** Each worker's scorecard parts, absorbed in worker order so that the order of periods does not depend on timing. */
  private readonly parts: unknown[][] = [];
  private cases = 0;
  private orphanReplies = 0;

  constructor(n: number, init: WorkerInit) {
    // Workers do not inherit the TypeScript loader of this thread: each registers tsx before importing its module.
    const boot = `(async () => { const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(new URL('./analyze-worker.ts', import.meta.url).href)}); })().catch((e) => { console.error(e); process.exit(1); });`;
    // A worker keeps little alive (open cases, canned fingerprints, scorecard figures); a cap on its old generation
    // makes V8 collect instead of growing the heap with garbage, which kept the RSS of a 1M-tweet run near 2 GB.
    this.workers = Array.from({ length: n }, () => new Worker(boot, { eval: true, workerData: init, resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_MB } }));
    this.inflight = this.workers.map(() => 0);
    this.wake = this.workers.map(() => undefined);
    this.batches = this.workers.map(() => new BatchBuilder());
    this.done = this.workers.map(
      (w, k) =>
        new Promise<void>((resolve, rejectDone) => {
          let finished = false;
          const reject = (e: Error) => {
            this.failure ??= e;
            this.wake.forEach((f) => f?.());
            rejectDone(e);
          };
          w.on('error', reject);
          w.on('exit', (code) => (finished ? resolve() : reject(new Error(`analyze worker stopped early (exit code ${code})`))));
          w.on('message', (m: WorkerMessage) => {
            if (m.type === 'ack') {
              this.inflight[k]!--;
              this.wake[k]?.();
            } else if (m.type === 'lines') this.writes = this.writes.then(() => this.write(m.data));
            else if (m.type === 'error') reject(new Error(`analyze worker failed: ${m.message}`));
            else {
              this.parts[k] = m.parts;
              this.cases += m.cases;
              this.orphanReplies += m.orphanReplies;
              finished = true;
              void w.terminate();
            }
          });
        }),
    );
    // A failure surfaces through `failure` in add() or through finish(); never as an unhandled rejection.
    for (const d of this.done) d.catch(() => undefined);
  }

  /**
   * Pass 2 begins: the as-of time is known once the file is read; case lines (UTF-8) go to `write`. `weights` (tweets
   * per handle, e.g. its brand replies) spread the handles so that each worker gets about as much work: the slowest
   * worker decides when pass 2 ends, and round-robin in order of appearance left one with a third more than the other.
   */
  start(asOf: number, period: Period | undefined, write: (chunk: Uint8Array) => Promise<void>, weights?: ReadonlyMap<string, number>): void {
    this.scorecard = new ScorecardBuilder({ asOf, period });
    this.write = write;
    if (weights) {
      const load = this.workers.map(() => 0);
      const heaviest = [...weights].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [handle, w] of heaviest) {
        const k = load.indexOf(Math.min(...load));
        this.partOf.set(handle, k);
        load[k] += w;
      }
    }
    for (const w of this.workers) w.postMessage({ type: 'start', asOf });
  }

  /** Queues row `i` of `cols`, routed as `r`; returns a promise only when the caller must wait (a batch went out to a busy worker). */
  add(cols: TweetColumns, i: number, r: Route, n = this.workers.length): Promise<void> | undefined {
    let k = this.partOf.get(r.handle);
    // A handle without a weight: round-robin in order of first appearance.
    if (k === undefined) this.partOf.set(r.handle, (k = this.partOf.size % n));
    const b = this.batches[k]!;
    b.add(cols, i, r);
    return b.length === BATCH ? this.send(k) : undefined;
  }

  private async send(k: number): Promise<void> {
    const b = this.batches[k]!;
    if (b.length === 0) return;
    // A fresh builder first: rows added while this one waits for the worker go into the next batch.
    this.batches[k] = new BatchBuilder();
    while (this.inflight[k]! >= MAX_INFLIGHT && !this.failure) await new Promise<void>((resolve) => (this.wake[k] = resolve));
    if (this.failure) throw this.failure;
    this.wake[k] = undefined;
    this.inflight[k]!++;
    const [batch, transfer] = b.seal();
    this.workers[k]!.postMessage(batch, transfer);
  }

  /** Sends what is left, waits for every worker's cases and scorecard parts. */
  async finish(): Promise<PoolResult> {
    for (let k = 0; k < this.workers.length; k++) {
      await this.send(k);
      this.workers[k]!.postMessage('end');
    }
    await Promise.all(this.done);
    await this.writes;
    for (const p of this.parts) this.scorecard!.absorb(p);
    return { scorecard: this.scorecard!, cases: this.cases, orphanReplies: this.orphanReplies };
  }

  /** Stops every worker (after a failure elsewhere). */
  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}
