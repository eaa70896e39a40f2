// Owns the `analyze` worker threads: started before the file is read, fed routed tweets in column batches with backpressure.
import { Worker } from 'node:worker_threads';
import type { Route } from '../domain/routing.ts';
import { ScorecardBuilder, type Period } from '../domain/scorecard.ts';
import type { Tweet } from '../domain/types.ts';
import type { RoutedBatch, WorkerInit, WorkerMessage } from './analyze-worker.ts';

/** Old-generation cap per analyze worker thread, in MB (env REPLYWATCH_ANALYZE_WORKER_MB to change). */
const WORKER_OLD_MB = Number(process.env.REPLYWATCH_ANALYZE_WORKER_MB ?? 1024);
const BATCH = 4096;
/** Backpressure: at most this many batches queued per worker, or the queues would hold a copy of the whole file. */
const MAX_INFLIGHT = 4;

function emptyBatch(): RoutedBatch {
  return { ids: [], authors: [], texts: [], times: new Float64Array(BATCH), brand: new Uint8Array(BATCH), handles: [], customers: [] };
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
  private readonly batches: RoutedBatch[];
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
    this.batches = this.workers.map(() => emptyBatch());
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

  /** Queues one routed tweet; returns a promise only when the caller must wait (a batch went out to a busy worker). */
  add(t: Tweet, r: Route, n = this.workers.length): Promise<void> | undefined {
    let k = this.partOf.get(r.handle);
    // A handle without a weight: round-robin in order of first appearance.
    if (k === undefined) this.partOf.set(r.handle, (k = this.partOf.size % n));
    const b = this.batches[k]!;
    const j = b.ids.length;
    b.ids.push(t.id);
    b.authors.push(t.authorId);
    b.texts.push(t.text);
    b.times[j] = t.createdAt.getTime();
    b.brand[j] = t.isBrand ? 1 : 0;
    b.handles.push(r.handle);
    b.customers.push(r.customerId);
    return j + 1 === BATCH ? this.send(k) : undefined;
  }

  private async send(k: number): Promise<void> {
    const b = this.batches[k]!;
    if (b.ids.length === 0) return;
    while (this.inflight[k]! >= MAX_INFLIGHT && !this.failure) await new Promise<void>((resolve) => (this.wake[k] = resolve));
    if (this.failure) throw this.failure;
    this.wake[k] = undefined;
    this.inflight[k]!++;
    b.times = b.times.slice(0, b.ids.length);
    b.brand = b.brand.slice(0, b.ids.length);
    this.workers[k]!.postMessage(b, [b.times.buffer as ArrayBuffer, b.brand.buffer as ArrayBuffer]);
    this.batches[k] = emptyBatch();
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
