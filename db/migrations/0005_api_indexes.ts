// Indexes the HTTP API's filtered, keyset-paginated reads need (alerts, breaches, cases per handle or team).
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Per-handle listings walk (time, id) backwards from a cursor; without these they scan the global time index.
  await db.schema.createIndex('alerts_handle_raised').on('alerts').columns(['handle_id', 'raised_at', 'id']).execute();
  await db.schema.createIndex('breaches_team_due').on('breaches').columns(['team_id', 'due_at', 'id']).execute();
  await db.schema.createIndex('breaches_case').on('breaches').column('case_id').execute();
  await db.schema.createIndex('cases_handle_opened').on('cases').columns(['handle_id', 'opened_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['alerts_handle_raised', 'breaches_team_due', 'breaches_case', 'cases_handle_opened']) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
}
