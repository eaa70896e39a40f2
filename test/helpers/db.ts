// Gives each test file its own fresh database on the run's PostgreSQL, built by the real migrations.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';

export interface TestDb {
  db: Db;
  pool: pg.Pool;
  url: string;
  destroy(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (no migrations) and returns its URL. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rw_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  return {
    url: withDatabase(inject('adminDatabaseUrl'), name),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const { url, drop } = await createEmptyDatabase();
  const { db, pool } = createDb(url, 10);
  if (opts.migrate !== false) await migrate(db, url);
  return {
    db,
    pool,
    url,
    destroy: async () => {
      await db.destroy();
      await drop();
    },
  };
}
