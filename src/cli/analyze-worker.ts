// Owns one `analyze` worker thread: classifies and threads the routed tweets of its share of handles, returns case lines and scorecard parts.
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore } from '../domain/analysis.ts';
import { caseRecord } from '../domain/case-summary.ts';
import type { Route } from '../domain/routing.ts';
import { ScorecardBuilder, type Period } from '../domain/scorecard.ts';
import type { Tweet } from '../domain/types.ts';
import { loadSetups } from './analyze.ts';
import { Utf8Lines } from './utf8-lines.ts';

/** What a worker needs to load before the file is read; the as-of time follows in a `start` message. */
export interface WorkerInit {
  config?: string;
  targetMinutes?: number;
  env: Record<string, string | undefined>;
  period?: Period;
  writeCases: boolean;
}

/**
 * Routed tweets in columns: cheaper to copy between threads than one object per tweet. The texts travel as UTF-8 in a
 * transferred buffer and are decoded here one at a time, so that no batch of strings outlives a young-generation GC.
 */
export interface RoutedBatch {
  length: number;
  /** Tweet ids as numbers (see TweetColumns); NaN where `idTexts` holds the id, by position. */
  ids: Float64Array;
  idTexts: Map<number, string>;
  authors: string[];
  /** Text j is bytes textEnds[j - 1] (0 for the first) to textEnds[j], or `oddTexts` (texts UTF-8 cannot carry). */
  textBytes: Uint8Array;
  textEnds: Uint32Array;
  oddTexts: Map<number, string>;
  times: Float64Array;
  brand: Uint8Array;
  handles: string[];
  customers: string[];
}

export type WorkerMessage = { type: 'lines'; data: Uint8Array } | { type: 'ack' } | { type: 'done'; parts: unknown[]; orphanReplies: number; cases: number } | { type: 'error'; message: string };

/** Routing is done: threading never reads a tweet's mentions. */
const NO_MENTIONS: string[] = [];
Object.freeze(NO_MENTIONS);

const init = workerData as WorkerInit;
const port = parentPort!;
const setupOf = loadSetups(init.config, init.targetMinutes, init.env);
let asOf = 0;
let scorecard = new ScorecardBuilder({ asOf, period: init.period });
const lines = new Utf8Lines();
let cases = 0;
const store = new CaseStore({
  setup: setupOf,
  onCase(c) {
    const setup = setupOf(c.handle);
    cases++;
    scorecard.add(c, setup);
    if (init.writeCases) {
      lines.add(JSON.stringify(caseRecord(c, setup, asOf)));
      // finish() emits every case still held at once: post each full buffer rather than all of them at the end.
      for (const data of lines.takeFull()) post(data);
    }
  },
});

/** Posts the lines as UTF-8 in transferred buffers: no copy of the text between threads, and no encoding in the main thread. */
function flushLines(): void {
  for (const data of lines.take()) post(data);
}

function post(data: Buffer): void {
  port.postMessage({ type: 'lines', data } satisfies WorkerMessage, [data.buffer as ArrayBuffer]);
}

port.on('message', (msg: RoutedBatch | 'end' | { type: 'start'; asOf: number }) => {
  try {
    if (msg === 'end') {
      store.finish(asOf);
      flushLines();
      port.postMessage({ type: 'done', parts: scorecard.parts(), orphanReplies: store.orphanReplies, cases } satisfies WorkerMessage);
      return;
    }
    if ('type' in msg) {
      asOf = msg.asOf;
      scorecard = new ScorecardBuilder({ asOf, period: init.period });
      return;
    }
    const bytes = Buffer.from(msg.textBytes.buffer, msg.textBytes.byteOffset, msg.textBytes.byteLength);
    for (let i = 0, from = 0; i < msg.length; i++) {
      const brand = msg.brand[i] === 1;
      const n = msg.ids[i]!;
      const id = n === n ? String(n) : msg.idTexts.get(i)!;
      const end = msg.textEnds[i]!;
      const text = (msg.oddTexts.size ? msg.oddTexts.get(i) : undefined) ?? bytes.toString('utf8', from, end);
      from = end;
      const tweet: Tweet = { id, authorId: msg.authors[i]!, text, createdAt: new Date(msg.times[i]!), mentions: NO_MENTIONS, isBrand: brand };
      const route: Route = { handle: msg.handles[i]!, customerId: msg.customers[i]!, role: brand ? 'brand' : 'customer' };
      store.step(tweet, route);
    }
    flushLines();
    port.postMessage({ type: 'ack' } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerMessage);
  }
});
