// Owns run-time configuration changes from the admin API: reference checks, then the same upsert the config file seed uses.
import type { Db } from './connect.ts';
import { syncConfig } from './config.repository.ts';
import type { FileConfig } from '../config.ts';
import { ValidationError } from '../errors.ts';

export const ADMIN_COLLECTIONS = ['calendars', 'policies', 'teams', 'handles', 'channels', 'routes'] as const;
export type AdminCollection = (typeof ADMIN_COLLECTIONS)[number];

type Item<K extends AdminCollection> = FileConfig[K][number];

async function names(db: Db, table: 'calendars' | 'policies' | 'teams' | 'channels'): Promise<Set<string>> {
  return new Set((await db.selectFrom(table).select('name').execute()).map((r) => r.name));
}

/** The fields of `item` that name objects which do not exist, as zod-like issues. */
async function missingReferences<K extends AdminCollection>(db: Db, collection: K, item: Item<K>): Promise<{ path: (string | number)[]; message: string }[]> {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const need = async (table: 'calendars' | 'policies' | 'teams' | 'channels', value: string | undefined, path: (string | number)[]) => {
    if (value !== undefined && !(await names(db, table)).has(value)) issues.push({ path, message: `unknown ${table.slice(0, -1)} "${value}"` });
  };
  if (collection === 'teams') {
    const t = item as Item<'teams'>;
    await need('calendars', t.calendar, ['calendar']);
    await need('policies', t.policy, ['policy']);
  } else if (collection === 'handles') {
    const h = item as Item<'handles'>;
    await need('teams', h.team, ['team']);
    await need('policies', h.policy, ['policy']);
    await need('policies', h.vipPolicy, ['vipPolicy']);
    await need('calendars', h.calendar, ['calendar']);
  } else if (collection === 'routes') {
    const r = item as Item<'routes'>;
    for (const [i, c] of r.channels.entries()) await need('channels', c, ['channels', i]);
    for (const [i, c] of (r.escalate?.channels ?? []).entries()) await need('channels', c, ['escalate', 'channels', i]);
    for (const [i, t] of (r.match.teams ?? []).entries()) await need('teams', t, ['match', 'teams', i]);
  }
  return issues;
}

/** Creates or replaces one named object; returns true when it was new. */
export async function upsertConfigItem<K extends AdminCollection>(db: Db, collection: K, item: Item<K>): Promise<boolean> {
  const issues = await missingReferences(db, collection, item);
  if (issues.length) throw new ValidationError(`invalid ${collection.slice(0, -1)}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, issues);
  const key = collection === 'handles' ? (item as Item<'handles'>).handle : (item as { name: string }).name;
  const existed = (await listConfig(db, collection)).some((row) => (row as { name?: string; handle?: string })[collection === 'handles' ? 'handle' : 'name']?.toLowerCase() === key.toLowerCase());
  const file: FileConfig = { calendars: [], policies: [], teams: [], handles: [], channels: [], routes: [] };
  (file[collection] as Item<K>[]) = [item];
  await syncConfig(db, file);
  return !existed;
}

/** The stored objects of one collection, shaped like the config file (channel secrets and URLs left out). */
export async function listConfig(db: Db, collection: AdminCollection): Promise<Record<string, unknown>[]> {
  switch (collection) {
    case 'calendars':
      return db.selectFrom('calendars').select(['name', 'timezone', 'hours', 'holidays', 'updated_at']).orderBy('name').execute();
    case 'policies':
      return (await db.selectFrom('policies').select(['name', 'settings', 'updated_at']).orderBy('name').execute()).map((p) => ({ name: p.name, ...p.settings, updated_at: p.updated_at }));
    case 'teams':
      return db
        .selectFrom('teams as t')
        .leftJoin('calendars as c', 'c.id', 't.calendar_id')
        .leftJoin('policies as p', 'p.id', 't.policy_id')
        .select(['t.name', 'c.name as calendar', 'p.name as policy', 't.updated_at'])
        .orderBy('t.name')
        .execute();
    case 'handles':
      return db
        .selectFrom('handles as h')
        .innerJoin('teams as t', 't.id', 'h.team_id')
        .innerJoin('policies as p', 'p.id', 'h.policy_id')
        .leftJoin('calendars as c', 'c.id', 'h.calendar_id')
        .leftJoin('policies as vp', 'vp.id', 'h.vip_policy_id')
        .select(['h.handle', 't.name as team', 'p.name as policy', 'c.name as calendar', 'h.vip', 'vp.name as vipPolicy', 'h.active', 'h.updated_at'])
        .orderBy('h.handle')
        .execute();
    case 'channels':
      // Webhook URLs and secrets are credentials: the API never hands them back.
      return (await db.selectFrom('channels').select(['name', 'type', 'updated_at']).orderBy('name').execute()).map((c) => ({ ...c }));
    case 'routes':
      return (await db.selectFrom('routes').select(['name', 'settings', 'updated_at']).orderBy('name').execute()).map((r) => ({ name: r.name, ...r.settings, updated_at: r.updated_at }));
  }
}
