// Owns the `poll_handle` job: one self-rescheduling job per handle (job key `poll:<handleId>`) that polls X and plans its next run.
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import type { Db } from '../src/db/connect.ts';
import { addJob } from '../src/db/jobs.ts';
import { pollHandle } from '../src/ingest/poll-handle.ts';
import { createXClient, type XClient } from '../src/sources/x-client.ts';

export const POLL_TASK = 'poll_handle';
export const pollJobKey = (handleId: number) => `poll:${handleId}`;

/** Schedules the handle's next poll; 'replace' moves an existing job, 'preserve_run_at' only makes sure one exists. */
export async function schedulePoll(db: Db, handleId: number, runAt: Date, mode: 'replace' | 'preserve_run_at' = 'replace'): Promise<void> {
  // Many attempts: a failing poll (database down) keeps retrying with graphile-worker's backoff instead of dying.
  await addJob(db, POLL_TASK, { handleId }, { jobKey: pollJobKey(handleId), jobKeyMode: mode, runAt, maxAttempts: 25 });
}

export function xClientFor(deps: Deps): XClient | undefined {
  const { bearerToken, baseUrl, allowHttp } = deps.config.x;
  return bearerToken ? createXClient({ bearerToken, baseUrl, allowHttp }) : undefined;
}

export function pollHandleTask(deps: Deps, x: XClient | undefined = xClientFor(deps)): Task {
  const log = deps.log.child({ name: 'poller' });
  return async (payload) => {
    const handleId = Number((payload as { handleId?: unknown })?.handleId);
    if (!Number.isInteger(handleId)) throw new Error(`poll_handle: payload needs an integer handleId, got ${JSON.stringify(payload)}`);
    if (!x) return; // No X_BEARER_TOKEN: nothing to poll (replay feeds the service instead).
    const outcome = await pollHandle({ db: deps.db, pool: deps.pool, x, config: deps.config, log, clock: deps.clock }, handleId);
    if (outcome.nextRunAt) await schedulePoll(deps.db, handleId, outcome.nextRunAt);
  };
}
