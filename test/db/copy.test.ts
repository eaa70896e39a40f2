import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { clientTransaction } from '../../src/db/connect.ts';
import { copyField, copyRows, insertNewOrStaged } from '../../src/db/copy.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
  await sql`create table copy_probe (id int primary key, txt text, tags text[], doc jsonb, at timestamptz, score double precision)`.execute(t.db);
});
afterAll(async () => {
  await t.destroy();
});

describe('COPY rows', () => {
  it('round-trips text with tabs, line breaks, backslashes and quotes, arrays with awkward elements, nulls, JSON and times', async () => {
    const awkward = 'tab\there\nnew line\r\nback\\slash "quoted" \\N ünïcödé 🛫';
    const tags = ['', 'NULL', 'a,b', '{brace}', 'say "hi"', 'back\\slash', 'line\nbreak'];
    const doc = { reasons: ["dm_request: 'DM us'", 'tab\tin json', 'back\\slash'], n: 1.5 };
    const at = new Date('2026-03-29T01:30:00.123Z');
    await clientTransaction(t.db, async (_trx, client) => {
      const n = await copyRows(client, 'copy_probe', ['id', 'txt', 'tags', 'doc', 'at', 'score'], [
        [1, awkward, tags, JSON.stringify(doc), at, 0.924],
        [2, null, [], '[]', null, null],
        [3, '', null, 'null', at, -0],
      ]);
      expect(n).toBe(3);
    });
    const rows = await sql<{ id: number; txt: string | null; tags: string[] | null; doc: unknown; at: Date | null; score: number | null }>`select * from copy_probe order by id`.execute(t.db);
    expect(rows.rows).toEqual([
      { id: 1, txt: awkward, tags, doc, at, score: 0.924 },
      { id: 2, txt: null, tags: [], doc: [], at: null, score: null },
      { id: 3, txt: '', tags: null, doc: null, at, score: 0 },
    ]);
  });

  it('splits the data across buffers anywhere, also around a field larger than one buffer', async () => {
    const big = 'é🛫\t'.repeat(300_000); // about 2.4 MB in UTF-8, with escapes
    const rows: unknown[][] = Array.from({ length: 3000 }, (_, i) => [100 + i, `row ${i} ` + 'ü'.repeat(i % 700)]);
    rows.splice(1500, 0, [99, big]);
    await clientTransaction(t.db, async (_trx, client) => {
      expect(await copyRows(client, 'copy_probe', ['id', 'txt'], rows)).toBe(3001);
    });
    const back = await sql<{ id: number; txt: string }>`select id, txt from copy_probe where id >= 99 and id < 3100 order by id`.execute(t.db);
    expect(back.rows).toHaveLength(3001);
    expect(back.rows[0]!.txt).toBe(big);
    expect(back.rows.slice(1).every((r, i) => r.id === 100 + i && r.txt === `row ${i} ` + 'ü'.repeat(i % 700))).toBe(true);
  });

  it('leaves nothing behind when the transaction rolls back', async () => {
    await expect(
      clientTransaction(t.db, async (_trx, client) => {
        await copyRows(client, 'copy_probe', ['id', 'txt'], [[10, 'gone']]);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    const n = await sql<{ n: number }>`select count(*)::int as n from copy_probe where id = 10`.execute(t.db);
    expect(n.rows[0]!.n).toBe(0);
  });

  it('runs in the transaction of the Kysely handle it gives', async () => {
    await clientTransaction(t.db, async (trx, client) => {
      await sql`insert into copy_probe (id, txt) values (20, 'via kysely')`.execute(trx);
      await copyRows(client, 'copy_probe', ['id', 'txt'], [[21, 'via copy']]);
      // The Kysely handle sees the COPYed row before commit: one connection, one transaction.
      const seen = await sql<{ n: number }>`select count(*)::int as n from copy_probe where id in (20, 21)`.execute(trx);
      expect(seen.rows[0]!.n).toBe(2);
      // Another connection does not, until commit.
      const outside = await sql<{ n: number }>`select count(*)::int as n from copy_probe where id in (20, 21)`.execute(t.db);
      expect(outside.rows[0]!.n).toBe(0);
    });
    const after = await sql<{ n: number }>`select count(*)::int as n from copy_probe where id in (20, 21)`.execute(t.db);
    expect(after.rows[0]!.n).toBe(2);
  });

  it('copies new rows straight in, and falls back to the staged upsert when one of them exists, keeping the transaction', async () => {
    await sql`create table copy_upsert (id int primary key, txt text)`.execute(t.db);
    const upsert = sql`on conflict (id) do update set txt = excluded.txt`;
    await clientTransaction(t.db, async (trx, client) => {
      await sql`insert into copy_upsert values (0, 'before')`.execute(trx);
      await insertNewOrStaged(trx, client, 'copy_upsert', ['id', 'txt'], () => [[1, 'one'], [2, 'two']], upsert);
      // Row 2 exists now: COPY fails on it, the savepoint rolls back, and both rows are upserted instead.
      await insertNewOrStaged(trx, client, 'copy_upsert', ['id', 'txt'], () => [[2, 'two again'], [3, 'three']], upsert);
    });
    const rows = await sql<{ id: number; txt: string }>`select * from copy_upsert order by id`.execute(t.db);
    expect(rows.rows).toEqual([
      { id: 0, txt: 'before' },
      { id: 1, txt: 'one' },
      { id: 2, txt: 'two again' },
      { id: 3, txt: 'three' },
    ]);
    // Any other error still fails the transaction.
    await expect(clientTransaction(t.db, (trx, client) => insertNewOrStaged(trx, client, 'copy_upsert', ['id', 'txt'], () => [[null, 'no id']], upsert))).rejects.toThrow(/null value/);
  });

  it('escapes only what COPY text format needs', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('plain')).toBe('plain');
    expect(copyField('a\tb\\c')).toBe('a\\tb\\\\c');
    expect(copyField(['x', null])).toBe('{"x",NULL}');
  });
});
