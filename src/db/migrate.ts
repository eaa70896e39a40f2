// Owns schema migrations: ours (db/migrations, through Kysely's Migrator) and graphile-worker's.
import { type Kysely, type MigrationProvider, Migrator } from 'kysely';
import { Logger as GraphileLogger, runMigrations } from 'graphile-worker';
import type { Database } from './schema.ts';
import { migrations } from '../../db/migrations/index.ts';

export const silentGraphileLogger = new GraphileLogger(() => () => {});

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; concurrent callers are serialised by Kysely's migration lock. */
export async function migrate(db: Kysely<Database>, connectionString: string): Promise<string[]> {
  // Migrations written on parallel branches may land out of number order; apply whichever are missing.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
  await runMigrations({ connectionString, logger: silentGraphileLogger });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
