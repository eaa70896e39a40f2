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

export function createDb(url: string, max = 10): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max });
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
