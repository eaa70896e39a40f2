// Owns adding and removing many deadline jobs in one round trip each (a batch of case updates replaces hundreds of timers).
import { sql } from 'kysely';
import type { Db } from './connect.ts';

export interface JobSpec {
  task: string;
  payload: unknown;
  runAt: Date;
  jobKey: string;
}

// Raw SQL: graphile-worker's bulk add_jobs takes an array of its composite job_spec type, which Kysely cannot build.
// Without preserve_run_at a spec replaces the pending job of the same key (its run_at moves to the new due time).
export async function addJobsBulk(db: Db, specs: JobSpec[]): Promise<void> {
  for (let i = 0; i < specs.length; i += 2000) {
    const chunk = specs.slice(i, i + 2000);
    await sql`select count(*) from graphile_worker.add_jobs(array(
      select row(u.task, u.payload, null, u.run_at, null, u.job_key, null, null)::graphile_worker.job_spec
      from unnest(${chunk.map((s) => s.task)}::text[], ${chunk.map((s) => JSON.stringify(s.payload))}::json[],
        ${chunk.map((s) => s.runAt.toISOString())}::timestamptz[], ${chunk.map((s) => s.jobKey)}::text[]) as u(task, payload, run_at, job_key)
    ), false)`.execute(db);
  }
}

// Raw SQL: remove_job is a graphile-worker function; a running (locked) job only loses its key and re-checks the case itself.
export async function removeJobsBulk(db: Db, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await sql`select count(graphile_worker.remove_job(k)) from unnest(${keys}::text[]) as k`.execute(db);
}

/**
 * Lets this transaction commit without waiting for its WAL flush. Safe for deadline checks: whoever acts on what it
 * wrote (the notifier locking a delivery job, graphile completing this job) commits synchronously, which flushes this
 * commit first; if PostgreSQL dies before that, both are lost together and the job simply runs again.
 */
export async function commitWithoutFlush(db: Db): Promise<void> {
  // Raw SQL: a session setting, which Kysely has no builder for.
  await sql`set local synchronous_commit = off`.execute(db);
}
