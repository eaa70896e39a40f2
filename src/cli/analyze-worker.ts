// Owns one `analyze` worker thread: classifies and threads the routed tweets of its share of handles, returns case lines and scorecard parts.
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore } from '../domain/analysis.ts';
import { caseRecord } from '../domain/case-summary.ts';
import type { Route } from '../domain/routing.ts';
import { ScorecardBuilder, type Period } from '../domain/scorecard.ts';
import type { Tweet } from '../domain/types.ts';
import { loadSetups } from './analyze.ts';

export interface WorkerInit {
  config?: string;
  targetMinutes?: number;
  env: Record<string, string | undefined>;
  asOf: number;
  period?: Period;
  writeCases: boolean;
}

/** Routed tweets in columns: cheaper to copy between threads than one object per tweet. */
export interface RoutedBatch {
  ids: string[];
  authors: string[];
  texts: string[];
  times: Float64Array;
  brand: Uint8Array;
  handles: string[];
  customers: string[];
}

export type WorkerMessage = { type: 'lines'; data: string } | { type: 'ack' } | { type: 'done'; parts: unknown[]; orphanReplies: number; cases: number } | { type: 'error'; message: string };

const init = workerData as WorkerInit;
const port = parentPort!;
const setupOf = loadSetups(init.config, init.targetMinutes, init.env);
const scorecard = new ScorecardBuilder({ asOf: init.asOf, period: init.period });
let lines: string[] = [];
let cases = 0;
const store = new CaseStore({
  setup: setupOf,
  onCase(c) {
    const setup = setupOf(c.handle);
    cases++;
    scorecard.add(c, setup);
    if (init.writeCases) {
      lines.push(JSON.stringify(caseRecord(c, setup, init.asOf)));
      // finish() emits every case still held at once: post in slices rather than as one string of them all.
      if (lines.length >= 2000) flushLines();
    }
  },
});

function flushLines(): void {
  if (lines.length) port.postMessage({ type: 'lines', data: lines.join('\n') + '\n' } satisfies WorkerMessage);
  lines = [];
}

port.on('message', (msg: RoutedBatch | 'end') => {
  try {
    if (msg === 'end') {
      store.finish(init.asOf);
      flushLines();
      port.postMessage({ type: 'done', parts: scorecard.parts(), orphanReplies: store.orphanReplies, cases } satisfies WorkerMessage);
      return;
    }
    for (let i = 0; i < msg.ids.length; i++) {
      const brand = msg.brand[i] === 1;
      const tweet: Tweet = { id: msg.ids[i]!, authorId: msg.authors[i]!, text: msg.texts[i]!, createdAt: new Date(msg.times[i]!), mentions: [], isBrand: brand };
      const route: Route = { handle: msg.handles[i]!, customerId: msg.customers[i]!, role: brand ? 'brand' : 'customer' };
      store.step(tweet, route);
    }
    flushLines();
    port.postMessage({ type: 'ack' } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerMessage);
  }
});
