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
// The specs travel as one JSON document: JSON.stringify is native, where array parameters are escaped element by
// element in JavaScript (a backlog batch plans tens of thousands of timers).
export async function addJobsBulk(db: Db, specs: JobSpec[]): Promise<void> {
  for (let i = 0; i < specs.length; i += 2000) {
    const doc = JSON.stringify(specs.slice(i, i + 2000).map((s) => ({ task: s.task, payload: s.payload, run_at: s.runAt.toISOString(), job_key: s.jobKey })));
    await sql`select count(*) from graphile_worker.add_jobs(array(
      select row(u.task, u.payload, null, u.run_at, null, u.job_key, null, null)::graphile_worker.job_spec
      from json_to_recordset(${doc}::json) as u(task text, payload json, run_at timestamptz, job_key text)
    ), false)`.execute(db);
  }
}

// Raw SQL: remove_job is a graphile-worker function; a running (locked) job only loses its key and re-checks the case itself.
export async function removeJobsBulk(db: Db, keys: string[]): Promise<void> {
  if (!keys.length) return;
  await sql`select count(graphile_worker.remove_job(k)) from json_array_elements_text(${JSON.stringify(keys)}::json) as k`.execute(db);
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
