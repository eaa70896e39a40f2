// Owns loading what the SLA engine needs to judge a handle's cases: handle, team, policies and calendar.
import type { Db } from './connect.ts';
import { policyFromSettings, type PolicyScope } from '../domain/policy.ts';
import type { Calendar, Policy } from '../domain/types.ts';

export interface HandleContext {
  handleId: number;
  handle: string;
  teamId: number;
  scope: PolicyScope;
  /** The handle's calendar, else its team's; undefined means always open. */
  calendar?: Calendar;
}

export async function loadPolicies(db: Db): Promise<Map<string, Policy>> {
  const rows = await db.selectFrom('policies').select(['name', 'settings']).execute();
  return new Map(rows.map((r) => [r.name, policyFromSettings(r.name, r.settings)]));
}

export async function loadHandleContext(db: Db, handleId: number, policies?: Map<string, Policy>): Promise<HandleContext | undefined> {
  const row = await db
    .selectFrom('handles as h')
    .innerJoin('teams as t', 't.id', 'h.team_id')
    .innerJoin('policies as hp', 'hp.id', 'h.policy_id')
    .leftJoin('policies as tp', 'tp.id', 't.policy_id')
    .leftJoin('policies as vp', 'vp.id', 'h.vip_policy_id')
    .leftJoin('calendars as c', (j) => j.on((eb) => eb('c.id', '=', eb.fn.coalesce('h.calendar_id', 't.calendar_id'))))
    .select(['h.id', 'h.handle', 'h.team_id', 'h.vip', 'hp.name as handle_policy', 'tp.name as team_policy', 'vp.name as vip_policy'])
    .select(['c.name as cal_name', 'c.timezone', 'c.hours', 'c.holidays'])
    .where('h.id', '=', handleId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    handleId: row.id,
    handle: row.handle,
    teamId: row.team_id,
    scope: {
      handlePolicy: row.handle_policy,
      teamPolicy: row.team_policy,
      vip: row.vip ?? [],
      vipPolicy: row.vip_policy,
      policies: policies ?? (await loadPolicies(db)),
    },
    calendar: row.cal_name ? { name: row.cal_name, timezone: row.timezone!, hours: row.hours ?? {}, holidays: row.holidays ?? [] } : undefined,
  };
}

/**
 * A short-lived per-process cache of handle contexts for jobs that run thousands of times a minute (deadline checks).
 * Policy or calendar edits reach them within `ttlMs`; a due time they move is re-checked by check_deadline itself.
 */
export function handleContextCache(ttlMs = 5000) {
  const cache = new Map<number, { at: number; ctx: HandleContext | undefined }>();
  return async (db: Db, handleId: number, now = Date.now()): Promise<HandleContext | undefined> => {
    const hit = cache.get(handleId);
    if (hit && now - hit.at < ttlMs) return hit.ctx;
    const ctx = await loadHandleContext(db, handleId);
    cache.set(handleId, { at: now, ctx });
    return ctx;
  };
}
