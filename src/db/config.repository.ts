// Owns seeding the configuration file's teams, calendars, policies, handles, channels and routes into the database.
import type { Db } from './connect.ts';
import type { FileConfig } from '../config.ts';

/**
 * Upserts every named object of the config file. The file is the seed: objects created at run time
 * through the admin API stay, and a restart re-applies what the file says for the names it holds.
 */
export async function syncConfig(db: Db, file: FileConfig): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ids = async (table: 'calendars' | 'policies' | 'teams') =>
      new Map((await trx.selectFrom(table).select(['id', 'name']).execute()).map((r) => [r.name, r.id]));

    for (const c of file.calendars) {
      const row = { name: c.name, timezone: c.timezone, hours: JSON.stringify(c.hours), holidays: JSON.stringify(c.holidays) };
      await trx.insertInto('calendars').values(row).onConflict((oc) => oc.column('name').doUpdateSet({ ...row, updated_at: new Date() })).execute();
    }
    for (const p of file.policies) {
      const { name, ...settings } = p;
      await trx
        .insertInto('policies')
        .values({ name, settings: JSON.stringify(settings) })
        .onConflict((oc) => oc.column('name').doUpdateSet({ settings: JSON.stringify(settings), updated_at: new Date() }))
        .execute();
    }
    const calendars = await ids('calendars');
    const policies = await ids('policies');
    for (const t of file.teams) {
      const row = { name: t.name, calendar_id: t.calendar ? calendars.get(t.calendar)! : null, policy_id: t.policy ? policies.get(t.policy)! : null };
      await trx.insertInto('teams').values(row).onConflict((oc) => oc.column('name').doUpdateSet({ ...row, updated_at: new Date() })).execute();
    }
    const teams = await ids('teams');
    for (const h of file.handles) {
      const row = {
        handle: h.handle,
        team_id: teams.get(h.team)!,
        policy_id: policies.get(h.policy)!,
        calendar_id: h.calendar ? calendars.get(h.calendar)! : null,
        vip: JSON.stringify(h.vip),
        vip_policy_id: h.vipPolicy ? policies.get(h.vipPolicy)! : null,
      };
      const existing = await trx.selectFrom('handles').select('id').where((eb) => eb(eb.fn('lower', ['handle']), '=', h.handle.toLowerCase())).executeTakeFirst();
      if (existing) await trx.updateTable('handles').set({ ...row, updated_at: new Date() }).where('id', '=', existing.id).execute();
      else await trx.insertInto('handles').values(row).execute();
    }
    for (const c of file.channels) {
      const { name, type, ...settings } = c;
      await trx
        .insertInto('channels')
        .values({ name, type, settings: JSON.stringify(settings) })
        .onConflict((oc) => oc.column('name').doUpdateSet({ type, settings: JSON.stringify(settings), updated_at: new Date() }))
        .execute();
    }
    for (const r of file.routes) {
      const { name, ...settings } = r;
      await trx
        .insertInto('routes')
        .values({ name, settings: JSON.stringify(settings) })
        .onConflict((oc) => oc.column('name').doUpdateSet({ settings: JSON.stringify(settings), updated_at: new Date() }))
        .execute();
    }
  });
}
