// Owns COPY FROM STDIN (text format): rows into a table in the caller's transaction, for bulk writes where one jsonb
// document or thousands of bind parameters cost the server several times more than COPY does.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './connect.ts';

/** A value as a COPY text field: null as \N; backslash, tab and line breaks escaped; arrays as array literals. */
export function copyField(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return escapeText(v);
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
  }
  if (v === null || v === undefined) return '\\N';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return escapeText(`{${v.map(arrayElement).join(',')}}`);
  return escapeText(String(v));
}

/** One element of an array literal, always quoted (so empty strings, commas, braces and the word NULL stay text). */
function arrayElement(x: unknown): string {
  if (x === null || x === undefined) return 'NULL';
  const s = String(x);
  return /[\\"]/.test(s) ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${s}"`;
}

function escapeText(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

const CHUNK_BYTES = 1 << 20;
const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * Copies rows (values in `columns` order, see copyField) into `table` on this client; returns the number of rows.
 * Fields are encoded straight into 1 MB buffers: joining them into strings first made about twice the data's size in
 * short-lived strings, which the garbage collector then had to walk.
 */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<number> {
  let n = 0;
  function* chunks(): Generator<Buffer> {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let pos = 0;
    for (const r of rows) {
      for (let i = 0; i < r.length; i++) {
        const field = copyField(r[i]);
        // A UTF-16 unit takes at most 3 bytes in UTF-8; +1 for the separator.
        if (pos + field.length * 3 + 1 > buf.length) {
          if (pos > 0) yield buf.subarray(0, pos);
          buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, field.length * 3 + 1));
          pos = 0;
        }
        pos += buf.write(field, pos);
        buf[pos++] = i === r.length - 1 ? NEWLINE : TAB;
      }
      n++;
    }
    if (pos > 0) yield buf.subarray(0, pos);
  }
  const cols = columns.map((c) => `"${c}"`).join(', ');
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`copy ${table} (${cols}) from stdin`)));
  return n;
}

/**
 * Inserts rows into `table` through a session-local staging table: COPY into it, then one
 * `with staged as (delete from <stage> returning *) insert into <table> (columns) select columns from staged <tail>`,
 * where `tail` holds the order, the conflict clause and any `returning`. The server parses each value once, where one
 * jsonb document of the batch, or thousands of bind parameters, cost it about twice as much (docs/scaling.md §2).
 * `trx` and `client` must be the same transaction (see clientTransaction). Returns the rows of `returning`.
 */
export async function insertStaged<R>(trx: Db, client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>, tail: RawBuilder<unknown>): Promise<R[]> {
  const stage = `${table}_stage`;
  // Raw SQL: temporary tables are DDL. The table's columns without constraints or defaults (a serial default would
  // draw ids from the real table's sequence); "if not exists": it lives as long as the connection, emptied at commit.
  await sql`create temp table if not exists ${sql.id(stage)} on commit delete rows as select * from ${sql.id(table)} with no data`.execute(trx);
  await copyRows(client, stage, columns, rows);
  const list = sql.join(columns.map((c) => sql.ref(c)));
  // Raw SQL: a data-modifying CTE empties the staging table in the same statement; Kysely has no builder for it.
  const res = await sql<R>`with staged as (delete from ${sql.id(stage)} returning *) insert into ${sql.id(table)} (${list}) select ${list} from staged ${tail}`.execute(trx);
  return res.rows;
}

/**
 * COPY straight into `table`, inside a savepoint, rows that are normally all new. True when they went in; false when
 * one of them exists already (a unique violation): the savepoint is rolled back and nothing was written.
 */
export async function copyNew(trx: Db, client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<boolean> {
  const savepoint = sql.id(`${table}_copy`);
  // Raw SQL: savepoints have no Kysely builder inside an open transaction.
  await sql`savepoint ${savepoint}`.execute(trx);
  try {
    await copyRows(client, table, columns, rows);
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await sql`rollback to savepoint ${savepoint}`.execute(trx);
    return false;
  }
  await sql`release savepoint ${savepoint}`.execute(trx);
  return true;
}

/**
 * copyNew, and for rows of which one exists after all, insertStaged with `tail` (its on-conflict clause). The usual
 * path skips the staging table's write, read and delete of every row.
 */
export async function insertNewOrStaged(trx: Db, client: pg.PoolClient, table: string, columns: readonly string[], rows: () => Iterable<readonly unknown[]>, tail: RawBuilder<unknown>): Promise<void> {
  if (!(await copyNew(trx, client, table, columns, rows()))) await insertStaged(trx, client, table, columns, rows(), tail);
}
