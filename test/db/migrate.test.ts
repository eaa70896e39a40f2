import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { parseFileConfig } from '../../src/config.ts';
import { addJob } from '../../src/db/jobs.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.destroy();
});

describe('migrations', () => {
  it('create the core tables and graphile-worker schema', async () => {
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(t.db);
    const names = tables.rows.map((r) => r.table_name);
    for (const want of ['teams', 'handles', 'policies', 'calendars', 'tweets', 'cases', 'tweet_classifications', 'alerts', 'deliveries', 'cursors', 'api_tokens', 'breaches']) {
      expect(names).toContain(want);
    }
    const gw = await sql<{ n: number }>`select count(*)::int as n from information_schema.schemata where schema_name = 'graphile_worker'`.execute(t.db);
    expect(gw.rows[0].n).toBe(1);
  });

  it('keep the analyzer\'s tables (cases, tweet_classifications) free of per-row foreign-key checks, with the analysis state as json', async () => {
    for (const table of ['cases', 'tweet_classifications']) {
      const fks = await sql<{ def: string }>`select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = ${table}::regclass and contype = 'f'`.execute(t.db);
      expect(fks.rows, table).toEqual([]);
    }
    const col = await sql<{ data_type: string; column_default: string }>`select data_type, column_default from information_schema.columns where table_name = 'cases' and column_name = 'summary'`.execute(t.db);
    expect(col.rows).toEqual([{ data_type: 'json', column_default: "'{}'::json" }]);
    // Other tables still point at cases: a deleted case takes its breaches with it and leaves its alerts.
    const refs = await sql<{ rel: string }>`select conrelid::regclass::text as rel from pg_constraint where confrelid = 'cases'::regclass and contype = 'f' order by 1`.execute(t.db);
    expect(refs.rows.map((r) => r.rel)).toEqual(['alerts', 'breaches']);
  });

  it('key tweet_handles by handle and tweet, with no sequence column', async () => {
    const keys = await sql<{ contype: string; def: string }>`select contype::text, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'tweet_handles'::regclass and contype in ('p', 'u')`.execute(t.db);
    expect(keys.rows).toEqual([{ contype: 'p', def: 'PRIMARY KEY (handle_id, tweet_id)' }]);
    const cols = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'tweet_handles' order by ordinal_position`.execute(t.db);
    expect(cols.rows.map((r) => r.column_name)).not.toContain('seq');
  });

  it('are idempotent on a second run', async () => {
    expect(await migrate(t.db, t.url)).toEqual([]);
  });

  it('seed the config file and re-apply it on restart without duplicates', async () => {
    const file = parseFileConfig(
      {
        calendars: [{ name: 'london', timezone: 'Europe/London', hours: { mon: ['08:00-22:00'] } }],
        teams: [{ name: 'care', calendar: 'london' }],
        handles: [{ handle: 'AcmeHelp', team: 'care' }],
      },
      {},
    );
    await syncConfig(t.db, file);
    await syncConfig(t.db, file);
    const handles = await t.db.selectFrom('handles').innerJoin('teams', 'teams.id', 'handles.team_id').select(['handle', 'teams.name as team']).execute();
    expect(handles).toEqual([{ handle: 'AcmeHelp', team: 'care' }]);
    const cal = await t.db.selectFrom('calendars').selectAll().where('name', '=', 'london').executeTakeFirstOrThrow();
    expect(cal.hours).toEqual({ mon: ['08:00-22:00'] });
  });

  it('adds graphile-worker jobs inside our transactions, replaced by job key', async () => {
    await t.db.transaction().execute(async (trx) => {
      await addJob(trx, 'noop', { a: 1 }, { jobKey: 'k1', runAt: new Date(Date.now() + 60_000) });
      await addJob(trx, 'noop', { a: 2 }, { jobKey: 'k1', runAt: new Date(Date.now() + 120_000) });
    });
    const jobs = await sql<{ payload: { a: number } }>`select payload from graphile_worker._private_jobs where key = 'k1'`.execute(t.db);
    expect(jobs.rows).toEqual([{ payload: { a: 2 } }]);
  });
});
