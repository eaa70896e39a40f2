// Owns the connection: a pg pool and a Kysely instance on DATABASE_URL, or on the embedded server.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { startEmbedded, type EmbeddedServer } from './embedded.ts';
import type { Logger } from '../log.ts';

export type Db = Kysely<Database>;

export interface Connection {
  db: Db;
  pool: pg.Pool;
  url: string;
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

// timestamptz and bigint stay as pg gives them (Date, string); numeric (aggregates) become numbers.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => (v === null ? null : Number(v)));

/** The pool behind each Db made here, for transactions that need the pg client itself (see clientTransaction). */
const pools = new WeakMap<Db, pg.Pool>();

/**
 * How long opening one connection may take, TCP connect through PostgreSQL's readyForQuery. Without it a server
 * that drops packets without a reset (a network partition) holds a new connection for the OS TCP timeout (minutes).
 * It is set on the client, not as pg-pool's connectionTimeoutMillis, which would also bound the wait for a free pool
 * slot and fail queries under load; only the opening of a connection is bounded here.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Idle time before TCP keepalive probes start on a pool connection, so a peer that went silent is noticed. */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;
/** How long the health probe (`probeDatabase`) waits for a connection and `select 1` before it counts as down. */
export const PROBE_TIMEOUT_MS = 5_000;

export function createDb(url: string, max = 10, opts: { connectTimeoutMs?: number } = {}): { db: Db; pool: pg.Pool } {
  const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  // pg-pool gives its options to each new client; the client's connectionTimeoutMillis bounds its own connect only.
  class BoundedClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  const pool = new pg.Pool({ connectionString: url, max, Client: BoundedClient, keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS });
  // A dropped idle connection (e.g. a PostgreSQL restart) must not crash the process.
  pool.on('error', () => {});
  // Nor a dropped connection that is checked out: pg-pool listens for errors on idle clients only, and an 'error'
  // event with no listener is an uncaught exception. The queries on it fail with the error, which their callers log.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return { db, pool };
}

/**
 * Asks the database `select 1` on a pool connection, bounded in time: a database that does not answer within
 * timeoutMs (a partition that drops packets, every pool slot held by a stalled query) rejects as down instead of
 * waiting for the OS TCP timeout. A connection that did not answer in time is destroyed, not returned to the pool.
 */
export async function probeDatabase(pool: pg.Pool, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  let timedOut = false;
  let client: pg.PoolClient | undefined;
  const discard = (c: pg.PoolClient) => {
    c.release(new Error('database probe timed out'));
    // release(err) ends the client, which waits for the silent peer to close; drop the socket as pg-pool does on its own timeout.
    (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };
  const attempt = (async () => {
    const c = await pool.connect();
    if (timedOut) return discard(c);
    client = c;
    try {
      await c.query('select 1');
    } catch (err) {
      // After the timeout the client was already discarded.
      if (timedOut) throw err;
      client = undefined;
      c.release(err instanceof Error ? err : true);
      throw err;
    }
    if (timedOut) return;
    client = undefined;
    c.release();
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      if (client) discard(client);
      client = undefined;
      reject(new Error(`the database did not answer select 1 within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  // What the attempt does after the timeout (its connect or query failing) is no longer anyone's error.
  attempt.catch(() => {});
  try {
    await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A transaction whose callback gets both a Kysely handle and the pg client under it, for what Kysely cannot send
 * (COPY FROM STDIN, see copy.ts). The Kysely handle is bound to that one client; Kysely commits or rolls back and
 * returns the client to the pool, as in `db.transaction()`.
 */
export async function clientTransaction<T>(db: Db, fn: (trx: Db, client: pg.PoolClient) => Promise<T>): Promise<T> {
  const pool = pools.get(db);
  if (!pool) throw new Error('clientTransaction: this Db was not made by createDb');
  const client = await pool.connect();
  const onClient = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: async () => client, end: async () => {} } as unknown as pg.Pool }) });
  return onClient.transaction().execute((trx) => fn(trx, client));
}

export async function connect(opts: { databaseUrl?: string; dataDir: string; log: Logger; poolSize?: number }): Promise<Connection> {
  let embedded: EmbeddedServer | undefined;
  let url = opts.databaseUrl;
  if (!url) {
    embedded = await startEmbedded(opts.dataDir, opts.log);
    url = embedded.url;
  }
  const { db, pool } = createDb(url, opts.poolSize);
  return {
    db,
    pool,
    url,
    embedded,
    close: async () => {
      await db.destroy();
      if (embedded?.owned) await embedded.stop();
    },
  };
}
