// Owns the `ensure_poll_jobs` job: makes sure every active, pollable handle has its `poll:<handleId>` job (cron and start-up).
import type { Task } from 'graphile-worker';
import type { Deps } from '../src/deps.ts';
import { listActiveHandles, STOPPED_HEALTH } from '../src/db/handle.repository.ts';
import { schedulePoll } from './poll-handle.ts';

export const ENSURE_TASK = 'ensure_poll_jobs';

/** Adds a poll job for each active handle that has none; existing jobs keep their planned time. */
export async function ensurePollJobs(deps: Deps): Promise<number> {
  if (!deps.config.x.bearerToken) return 0;
  const handles = (await listActiveHandles(deps.db)).filter((h) => !STOPPED_HEALTH.includes(h.health));
  for (const h of handles) await schedulePoll(deps.db, h.id, deps.clock(), 'preserve_run_at');
  return handles.length;
}

export function ensurePollJobsTask(deps: Deps): Task {
  return async () => {
    await ensurePollJobs(deps);
  };
}
