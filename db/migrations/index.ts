// Lists the migrations in order. Static imports, so the same list works under tsx, vitest and a build.
import type { Migration } from 'kysely';
import * as m0001 from './0001_core_tables.ts';

export const migrations: Record<string, Migration> = {
  '0001_core_tables': m0001,
};
