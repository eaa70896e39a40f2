// Owns adding graphile-worker jobs from inside our own transactions (the outbox pattern needs the job and the row to commit together).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface AddJobOptions {
  runAt?: Date;
  /** Replaces a pending job with the same key (graphile-worker `job_key`). */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
}

// Raw SQL: graphile-worker's add_job is a database function, which Kysely has no builder for.
export async function addJob(db: Kysely<Database>, task: string, payload: unknown, opts: AddJobOptions = {}): Promise<void> {
  await sql`select graphile_worker.add_job(
    identifier => ${task}::text,
    payload => ${JSON.stringify(payload ?? {})}::json,
    queue_name => ${opts.queueName ?? null}::text,
    run_at => ${opts.runAt ?? null}::timestamptz,
    max_attempts => ${opts.maxAttempts ?? null}::int,
    job_key => ${opts.jobKey ?? null}::text,
    priority => ${opts.priority ?? null}::int,
    job_key_mode => ${opts.jobKeyMode ?? (opts.jobKey ? 'replace' : null)}::text
  )`.execute(db);
}

/**
 * Whether a job with this key is waiting (queued, not running), holding a share lock on its row until the caller's
 * transaction ends. The runner takes jobs with FOR UPDATE SKIP LOCKED, so the job cannot start before what this
 * transaction writes for it has committed; share locks do not wait for each other, where add_job's update of the same
 * row would make every caller queue behind the last one's commit.
 */
export async function holdWaitingJob(db: Kysely<Database>, jobKey: string): Promise<boolean> {
  // Raw SQL: graphile-worker's own table, which the Kysely schema does not describe.
  const r = await sql`select 1 from graphile_worker._private_jobs where key = ${jobKey} and locked_at is null for share`.execute(db);
  return r.rows.length > 0;
}

export async function removeJob(db: Kysely<Database>, jobKey: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${jobKey}::text)`.execute(db);
}

/** Removes the pending jobs with these keys in one round trip; a key with no job is ignored, a running job only loses its key. */
export async function removeJobs(db: Kysely<Database>, jobKeys: string[]): Promise<void> {
  if (!jobKeys.length) return;
  await sql`select count(graphile_worker.remove_job(k)) from unnest(${jobKeys}::text[]) as k`.execute(db);
}

/** Jobs waiting or running, for /metrics and /readyz. */
export async function queueDepth(db: Kysely<Database>): Promise<{ task: string; count: number }[]> {
  const res = await sql<{ task: string; count: string }>`
    select t.identifier as task, count(*)::text as count
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    group by t.identifier`.execute(db);
  return res.rows.map((r) => ({ task: r.task, count: Number(r.count) }));
}
