// Owns writes to alerts (insert by dedup key, reopen, ack, resolve, escalation marks) and the reads the notifier needs.
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from './schema.ts';
import { notifierDb } from './notifier.schema.ts';
import type { Calendar, Weekday } from '../domain/types.ts';
import type { RouteConfig } from '../config.ts';

export interface NewAlertRowInput {
  kind: string;
  severity: string;
  dedupKey: string;
  handleId: number | null;
  teamId: number | null;
  caseId: string | null;
  tweetId: string | null;
  title: string;
  reasons: string[];
  details: Record<string, unknown>;
  dueAt: Date | null;
  raisedAt: Date;
}

/** Inserts the alert unless its dedup key exists; returns the new id, or null when it already existed. */
export async function insertAlertIfNew(db: Kysely<Database>, a: NewAlertRowInput): Promise<string | null> {
  const row = await db
    .insertInto('alerts')
    .values({
      kind: a.kind,
      severity: a.severity,
      dedup_key: a.dedupKey,
      handle_id: a.handleId,
      team_id: a.teamId,
      case_id: a.caseId,
      tweet_id: a.tweetId,
      title: a.title,
      reasons: JSON.stringify(a.reasons),
      details: JSON.stringify(a.details),
      due_at: a.dueAt,
      raised_at: a.raisedAt,
    })
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findAlertByDedupKey(db: Kysely<Database>, dedupKey: string) {
  return db.selectFrom('alerts').select(['id', 'state']).where('dedup_key', '=', dedupKey).executeTakeFirst();
}

/** Reopens a resolved alert (clears ack and resolution); returns false when it was not resolved. */
export async function markAlertReopened(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const res = await notifierDb(db)
    .updateTable('alerts')
    .set((eb) => ({
      state: 'open',
      resolved_at: null,
      resolved_by: null,
      resolution: null,
      acknowledged_at: null,
      acknowledged_by: null,
      escalated_at: null,
      escalation_level: 0,
      reopened_count: eb('reopened_count', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('state', '=', 'resolved')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Acknowledges an open alert; an acknowledged alert is no longer escalated. Returns the alert, or undefined if unknown. */
export async function ackAlert(db: Kysely<Database>, id: string | number, by: string, at: Date = new Date()) {
  await db
    .updateTable('alerts')
    .set({ state: 'acknowledged', acknowledged_at: at, acknowledged_by: by, updated_at: at })
    .where('id', '=', String(id))
    .where('acknowledged_at', 'is', null)
    .where('resolved_at', 'is', null)
    .execute();
  return db.selectFrom('alerts').selectAll().where('id', '=', String(id)).executeTakeFirst();
}

/** Resolves an alert (also stops escalation). Returns the alert, or undefined if unknown. */
export async function resolveAlert(db: Kysely<Database>, id: string | number, by: string, resolution: string | null, at: Date = new Date()) {
  await db
    .updateTable('alerts')
    .set({ state: 'resolved', resolved_at: at, resolved_by: by, resolution, updated_at: at })
    .where('id', '=', String(id))
    .where('resolved_at', 'is', null)
    .execute();
  return db.selectFrom('alerts').selectAll().where('id', '=', String(id)).executeTakeFirst();
}

export interface RoutingContext {
  id: string;
  kind: string;
  severity: string;
  team: string | null;
  handle: string | null;
  calendar: Calendar | null;
  raisedAt: Date;
  acknowledged: boolean;
  escalationLevel: number;
}

/** The alert with its team, handle and calendar (the handle's, else the team's), locked for the caller's transaction. */
export async function loadRoutingContext(db: Kysely<Database>, alertId: string, opts: { lock?: boolean } = {}): Promise<RoutingContext | undefined> {
  let q = notifierDb(db)
    .selectFrom('alerts as a')
    .leftJoin('handles as h', 'h.id', 'a.handle_id')
    .leftJoin('teams as t', (j) => j.on(sql<SqlBool>`t.id = coalesce(h.team_id, a.team_id)`))
    .leftJoin('calendars as c', (j) => j.on(sql<SqlBool>`c.id = coalesce(h.calendar_id, t.calendar_id)`))
    .select([
      'a.id',
      'a.kind',
      'a.severity',
      'a.raised_at',
      'a.acknowledged_at',
      'a.resolved_at',
      'a.escalation_level',
      'h.handle',
      't.name as team',
      'c.name as cal_name',
      'c.timezone',
      'c.hours',
      'c.holidays',
    ])
    .where('a.id', '=', alertId);
  if (opts.lock) q = q.forUpdate('a');
  const r = await q.executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    team: r.team,
    handle: r.handle,
    calendar: r.cal_name ? { name: r.cal_name, timezone: r.timezone!, hours: (r.hours ?? {}) as Partial<Record<Weekday, string[]>>, holidays: r.holidays ?? [] } : null,
    raisedAt: r.raised_at,
    acknowledged: r.acknowledged_at !== null || r.resolved_at !== null,
    escalationLevel: r.escalation_level,
  };
}

export async function loadRoutes(db: Kysely<Database>): Promise<RouteConfig[]> {
  const rows = await db.selectFrom('routes').select(['name', 'settings']).orderBy('id').execute();
  return rows.map((r) => ({ quietHours: false, match: {}, ...(r.settings as object), name: r.name }) as RouteConfig);
}

export async function markAlertEscalated(db: Kysely<Database>, id: string, level: number, at: Date): Promise<void> {
  await notifierDb(db).updateTable('alerts').set({ escalated_at: at, escalation_level: level, updated_at: at }).where('id', '=', id).execute();
}

export interface AlertViewRow {
  id: string;
  kind: string;
  severity: string;
  state: string;
  title: string;
  reasons: string[];
  details: Record<string, unknown>;
  handle: string | null;
  team: string | null;
  case_id: string | null;
  tweet_id: string | null;
  customer_username: string | null;
  customer_id: string | null;
  awaiting_since: Date | null;
  due_at: Date | null;
  raised_at: Date;
}

/** Alerts with what a message shows about them (handle, team, customer, how long they have waited). */
export async function loadAlertsForMessage(db: Kysely<Database>, ids: string[]): Promise<AlertViewRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('alerts as a')
    .leftJoin('handles as h', 'h.id', 'a.handle_id')
    .leftJoin('teams as t', (j) => j.on(sql<SqlBool>`t.id = coalesce(h.team_id, a.team_id)`))
    .leftJoin('cases as k', 'k.id', 'a.case_id')
    .select([
      'a.id',
      'a.kind',
      'a.severity',
      'a.state',
      'a.title',
      'a.reasons',
      'a.details',
      'h.handle',
      't.name as team',
      'a.case_id',
      'a.tweet_id',
      'k.customer_username',
      'k.customer_id',
      'k.awaiting_since',
      'a.due_at',
      'a.raised_at',
    ])
    .where('a.id', 'in', ids)
    .orderBy('a.id')
    .execute();
}
