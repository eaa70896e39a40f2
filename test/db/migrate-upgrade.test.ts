import { afterAll, beforeAll, expect, it } from 'vitest';
import { Migrator, sql, type MigrationProvider } from 'kysely';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { migrations } from '../../db/migrations/index.ts';

// A database that ran the analyzer before migrations 0010 and 0011 keeps its data through them, and back.
let t: TestDb;
const provider: MigrationProvider = { getMigrations: async () => migrations };
const migrator = () => new Migrator({ db: t.db, provider, allowUnorderedMigrations: true });

beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(async () => {
  await t.destroy();
});

async function snapshot() {
  const cases = await sql<{ case_key: string; summary: unknown }>`select case_key, summary from cases order by case_key`.execute(t.db);
  const links = await sql<{ k: string }>`select handle_id || ':' || tweet_id || ':' || analyzed as k from tweet_handles order by 1`.execute(t.db);
  return { cases: cases.rows, links: links.rows.map((r) => r.k) };
}

it('0010 and 0011 keep case states and queue links, going up and coming back down', async () => {
  const before = await migrator().migrateTo('0009_classification_fk_checks');
  expect(before.error).toBeUndefined();
  const team = await sql<{ id: number }>`insert into teams (name) values ('care') returning id`.execute(t.db);
  const policy = await sql<{ id: number }>`insert into policies (name, settings) values ('p', '{}') returning id`.execute(t.db);
  const handle = await sql<{ id: number }>`insert into handles (handle, team_id, policy_id) values ('AcmeHelp', ${team.rows[0]!.id}, ${policy.rows[0]!.id}) returning id`.execute(t.db);
  const h = handle.rows[0]!.id;
  await sql`insert into tweets (id, author_id, text, created_at, source) values (11, 'u1', 'my order is late', now(), 'twcs'), (12, 'u2', 'hello?', now(), 'twcs')`.execute(t.db);
  await sql`insert into tweet_handles (handle_id, tweet_id, role, created_at, analyzed) values (${h}, 11, 'customer', now(), true), (${h}, 12, 'customer', now(), false)`.execute(t.db);
  const state = { v: 1, caseId: 'AcmeHelp:u1:11', replies: [{ id: '13', kind: 'dm_request', reasons: ["dm_request: 'DM us'"] }], nextResponseSeconds: [60.5] };
  await sql`insert into cases (case_key, handle_id, customer_id, opening_tweet_id, opened_at, first_customer_at, last_customer_at, summary, team_id)
    values ('AcmeHelp:u1:11', ${h}, 'u1', 11, now(), now(), now(), ${JSON.stringify(state)}::jsonb, ${team.rows[0]!.id})`.execute(t.db);
  const old = await snapshot();

  const up = await migrator().migrateToLatest();
  expect(up.error).toBeUndefined();
  expect(up.results?.map((r) => r.migrationName)).toEqual(expect.arrayContaining(['0010_case_write_costs', '0011_tweet_handles_key']));
  const upgraded = await snapshot();
  expect(upgraded).toEqual(old);
  expect(upgraded.cases[0]!.summary).toEqual(state);
  // The new key still refuses a second link of the same tweet to the same handle.
  await expect(sql`insert into tweet_handles (handle_id, tweet_id, role, created_at) values (${h}, 11, 'customer', now())`.execute(t.db)).rejects.toThrow(/tweet_handles_pkey/);

  const down = await migrator().migrateTo('0009_classification_fk_checks');
  expect(down.error).toBeUndefined();
  expect(await snapshot()).toEqual(old);
  const seq = await sql<{ n: number }>`select count(distinct seq)::int as n from tweet_handles`.execute(t.db);
  expect(seq.rows[0]!.n).toBe(2);
});
