// Owns the one ingest transaction used by the poller and by replay: tweets, links, errors, cursors and the analyzer wake-up commit together.
import type { Db } from './connect.ts';
import type { TweetRecord, XProblem } from '../domain/x-tweet.ts';
import { addJob } from './jobs.ts';
import { linkTweetHandles, recordTweetErrors, upsertTweets, type TweetLink } from './tweet.repository.ts';
import { deleteCursor, setCursor } from './cursor.repository.ts';
import { addReads } from './x-usage.repository.ts';

export interface IngestBatch {
  /** 'x' or 'twcs'; stored on each new tweet row. */
  source: string;
  records: TweetRecord[];
  links: TweetLink[];
  problems?: { handleId: number | null; problems: XProblem[] }[];
  /** Cursor moves; a null position deletes the cursor (a finished pagination). */
  cursors?: { handleId: number; timeline: string; position: string | null }[];
  /** Posts read and requests made, counted against the monthly budget. */
  reads?: { at: Date; posts: number; requests: number };
}

export interface IngestResult {
  inserted: number;
  updated: number;
  /** New tweet-to-handle links per handle. */
  linked: Map<number, number>;
  monthReads?: number;
}

/** Task name and key of the analyzer's per-handle job; unknown tasks wait harmlessly in the queue. */
export const ANALYZE_TASK = 'analyze_handle';

export async function ingestBatch(db: Db, batch: IngestBatch): Promise<IngestResult> {
  return db.transaction().execute(async (trx) => {
    const { inserted, updated } = await upsertTweets(trx, batch.records, batch.source);
    const linked = await linkTweetHandles(trx, batch.links);
    for (const p of batch.problems ?? []) await recordTweetErrors(trx, p.handleId, p.problems);
    for (const c of batch.cursors ?? []) {
      if (c.position === null) await deleteCursor(trx, c.handleId, c.timeline);
      else await setCursor(trx, c.handleId, c.timeline, c.position);
    }
    const monthReads = batch.reads ? await addReads(trx, batch.reads.at, batch.reads.posts, batch.reads.requests) : undefined;
    // An edit rewrites a tweet the analyzer has seen: wake every handle of the batch then, else only those with new links.
    const wake = new Set(updated > 0 ? batch.links.map((l) => l.handleId) : linked.keys());
    for (const handleId of [...wake].sort((a, b) => a - b)) {
      // preserve_run_at: a burst of batches keeps one pending job instead of pushing it back each time.
      await addJob(trx, ANALYZE_TASK, { handleId }, { jobKey: `${ANALYZE_TASK}:${handleId}`, jobKeyMode: 'preserve_run_at' });
    }
    return { inserted, updated, linked, monthReads };
  });
}
