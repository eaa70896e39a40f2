// Owns recovering jobs from crashed worker processes: each live graphile worker holds a session advisory lock named after its id; a sweeper frees the jobs of workers whose lock is gone.
import pg from 'pg';
import type { WorkerEvents } from 'graphile-worker';
import type { Logger } from '../log.ts';
import { CONNECT_TIMEOUT_MS, KEEPALIVE_INITIAL_DELAY_MS } from './connect.ts';

/**
 * graphile-worker 0.16 leaves a job locked for 4 hours when its process dies (SIGKILL, OOM, power): a deadline or a
 * delivery would wait that long. A session advisory lock dies with its connection, so "can I take worker X's lock?"
 * answers "is X's process gone?" on any number of hosts. Every job is idempotent (advisory locks per handle, row locks,
 * dedup keys), so a job freed by mistake at worst runs twice.
 */
const LOCK_CLASS = 0x7277; // "rw": keeps these locks apart from the per-handle poll locks

export interface LivenessOptions {
  databaseUrl: string;
  pool: pg.Pool;
  events: WorkerEvents;
  log: Logger;
  sweepEveryMs?: number;
  /** Jobs locked more recently than this are left alone (a worker takes its lock just after it starts). */
  graceSeconds?: number;
  /** How long opening the liveness session may take (default CONNECT_TIMEOUT_MS); the next sweep tries again. */
  connectTimeoutMs?: number;
}

export function startJobLiveness(o: LivenessOptions): () => Promise<void> {
  const log = o.log.child({ name: 'job-liveness' });
  const ids = new Set<string>();
  let client: pg.Client | undefined;
  let connecting = false;
  let stopped = false;

  // One query at a time on the liveness session (pg queues them, but warns about overlapping calls).
  let queue: Promise<unknown> = Promise.resolve();
  const lock = (c: pg.Client, id: string) => {
    const next = queue.then(() => c.query('select pg_advisory_lock($1::int, hashtext($2))', [LOCK_CLASS, id]));
    queue = next.catch(() => {});
    return next;
  };

  const connect = async () => {
    if (connecting || client || stopped) return;
    connecting = true;
    // Bounded and kept alive like the pool's connections: a partition must not hold the next sweep's reconnect forever.
    const c = new pg.Client({
      connectionString: o.databaseUrl,
      application_name: 'replywatch-liveness',
      connectionTimeoutMillis: o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    });
    c.on('error', () => {
      // The server went away (restart, network): locks are gone; take them again on a new session.
      if (client === c) client = undefined;
    });
    c.on('end', () => {
      if (client === c) client = undefined;
    });
    try {
      await c.connect();
      for (const id of ids) await lock(c, id);
      client = c;
    } catch {
      await c.end().catch(() => {});
    } finally {
      connecting = false;
    }
  };

  const onCreate = ({ worker }: { worker: { workerId: string } }) => {
    ids.add(worker.workerId);
    if (client) lock(client, worker.workerId).catch(() => {});
  };
  const onRelease = ({ worker }: { worker: { workerId: string } }) => {
    ids.delete(worker.workerId);
  };
  o.events.on('worker:create', onCreate);
  o.events.on('worker:release', onRelease);

  const sweep = async () => {
    if (!client) return connect();
    const grace = o.graceSeconds ?? 10;
    // Raw SQL: graphile-worker's private tables are not in our Kysely schema.
    const res = await o.pool.query<{ locked_by: string }>(
      `select distinct locked_by from graphile_worker._private_jobs where locked_by is not null and locked_at < now() - make_interval(secs => $1)
       union select distinct locked_by from graphile_worker._private_job_queues where locked_by is not null and locked_at < now() - make_interval(secs => $1)`,
      [grace],
    );
    const dead: string[] = [];
    for (const { locked_by: id } of res.rows) {
      if (ids.has(id)) continue;
      const c = await o.pool.connect();
      try {
        const got = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1::int, hashtext($2)) as ok', [LOCK_CLASS, id]);
        if (got.rows[0]?.ok) {
          dead.push(id);
          await c.query('select pg_advisory_unlock($1::int, hashtext($2))', [LOCK_CLASS, id]);
        }
      } finally {
        c.release();
      }
    }
    if (dead.length) {
      // A job that re-added itself under its own key while running was superseded (graphile-worker gave it
      // attempts = max_attempts and took its key); its replacement runs. Finishing it would have deleted it.
      await o.pool.query(
        `delete from graphile_worker._private_jobs where locked_by = any($1::text[]) and key is null and attempts >= max_attempts and last_error is null`,
        [dead],
      );
      await o.pool.query('select graphile_worker.force_unlock_workers($1::text[])', [dead]);
      log.warn({ workers: dead }, 'freed the jobs of worker processes that died');
    }
  };

  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep()
      .catch((err: unknown) => log.debug({ err }, 'liveness sweep failed; retrying'))
      .finally(() => (running = false));
  }, o.sweepEveryMs ?? 5_000);
  void connect();

  return async () => {
    stopped = true;
    clearInterval(timer);
    o.events.off('worker:create', onCreate);
    o.events.off('worker:release', onRelease);
    await client?.end().catch(() => {});
  };
}
