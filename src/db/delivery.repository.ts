// Owns the delivery rows (alert x channel x level), the per-channel send state, digests and the attempt log.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { notifierDb } from './notifier.schema.ts';
import type { ChannelConfig } from '../config.ts';

export interface NewDelivery {
  alertId: string;
  channel: string;
  level: number;
  route: string | null;
  /** 'pending' (send now), 'held' (quiet hours, goes out in the morning digest) or 'digest' (a burst: the window's digest). */
  state: 'pending' | 'held' | 'digest';
  nextAttemptAt: Date;
}

/** Inserts one delivery; null when that alert already has one for that channel and level. */
export async function insertDelivery(db: Kysely<Database>, d: NewDelivery): Promise<string | null> {
  const row = await notifierDb(db)
    .insertInto('deliveries')
    .values({ alert_id: d.alertId, channel: d.channel, level: d.level, route: d.route, state: d.state, next_attempt_at: d.nextAttemptAt })
    .onConflict((oc) => oc.columns(['alert_id', 'channel', 'level']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * A reopened alert is delivered again as new deliveries. Finished rows are removed (their attempts stay in the log);
 * a row being sent right now is renewed in place (new delivery id, pending): the in-flight send then fails its
 * guarded mark, and the renewed row sends the reopened alert. Returns the renewed row ids (they need a job).
 */
export async function clearDeliveriesForReopen(db: Kysely<Database>, alertId: string, now: Date): Promise<string[]> {
  // Lock the rows first: a send that finished between the delete and the renewal below would leave its row 'sent',
  // and the reopened alert would never go out on that channel again.
  await db.selectFrom('deliveries').select('id').where('alert_id', '=', alertId).orderBy('id').forUpdate().execute();
  await db.deleteFrom('deliveries').where('alert_id', '=', alertId).where('state', '!=', 'sending').execute();
  const renewed = await db
    .updateTable('deliveries')
    .set({ delivery_id: sql`gen_random_uuid()`, state: 'pending', attempts: 0, last_error: null, digest_id: null, sent_at: null, next_attempt_at: now, updated_at: now })
    .where('alert_id', '=', alertId)
    .where('state', '=', 'sending')
    .returning('id')
    .execute();
  return renewed.map((r) => r.id);
}

export async function lockDelivery(db: Kysely<Database>, id: string) {
  return notifierDb(db).selectFrom('deliveries').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
}

export type DeliveryPatch = Partial<{ state: string; attempts: number; last_error: string | null; next_attempt_at: Date; digest_id: string | null; sent_at: Date | null }>;

/**
 * Leaves the alerts' not-yet-sent deliveries out (state 'cancelled', the reason in last_error): held for the morning
 * digest, waiting for the channel's pacing, queued for a burst digest, or folded into a digest that has not started
 * to go out. One already being sent goes out, alone or in its digest. Returns how many were left out.
 */
export async function cancelWaitingDeliveries(db: Kysely<Database>, alertIds: string | string[], reason: string, now: Date): Promise<number> {
  const ids = typeof alertIds === 'string' ? [alertIds] : alertIds;
  if (!ids.length) return 0;
  const res = await db
    .updateTable('deliveries')
    .set({ state: 'cancelled', last_error: reason, updated_at: now })
    .where('alert_id', 'in', ids)
    .where('state', 'in', ['pending', 'ready', 'held', 'digest'])
    .executeTakeFirst();
  // A digest is claimed for sending under its row lock (sendDigest), and its alerts are read then. Waiting for that
  // lock and re-reading the digest's state after it means that a digest claimed meanwhile ('sending') keeps the alert
  // and a digest still 'pending' loses it before the claim reads its alerts: never cancelled yet sent.
  const digests = await notifierDb(db)
    .selectFrom('digests')
    .select('id')
    .where('state', '=', 'pending')
    .where('id', 'in', (eb) => eb.selectFrom('deliveries').select('digest_id').where('alert_id', 'in', ids).where('state', '=', 'digested').where('digest_id', 'is not', null))
    .orderBy('id')
    .forUpdate()
    .execute();
  if (!digests.length) return Number(res.numUpdatedRows);
  const folded = await db
    .updateTable('deliveries')
    .set({ state: 'cancelled', last_error: reason, updated_at: now })
    .where('alert_id', 'in', ids)
    .where('state', '=', 'digested')
    .where('digest_id', 'in', digests.map((d) => d.id))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) + Number(folded.numUpdatedRows);
}

export async function updateDelivery(db: Kysely<Database>, id: string, patch: DeliveryPatch, now: Date, guard?: { state: string; attempts: number }): Promise<boolean> {
  let q = db.updateTable('deliveries').set({ ...patch, updated_at: now }).where('id', '=', id);
  if (guard) q = q.where('state', '=', guard.state).where('attempts', '=', guard.attempts);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export type ChannelState = {
  channel: string;
  next_send_at: Date;
  last_send_at: Date | null;
  window_start: Date | null;
  window_count: number;
  paused_until: Date | null;
  pause_failures: number;
  pause_reason: string | null;
};

const CHANNEL_STATE_COLUMNS = ['channel', 'next_send_at', 'last_send_at', 'window_start', 'window_count', 'paused_until', 'pause_failures', 'pause_reason'] as const;

/** Locks the channel's send state row (creating it), so every notifier process shares one rate, window count and pause. */
export async function lockChannelState(db: Kysely<Database>, channel: string): Promise<ChannelState> {
  const n = notifierDb(db);
  await n.insertInto('channel_state').values({ channel }).onConflict((oc) => oc.column('channel').doNothing()).execute();
  return n.selectFrom('channel_state').select(CHANNEL_STATE_COLUMNS).where('channel', '=', channel).forUpdate().executeTakeFirstOrThrow();
}

/**
 * Whether the channel's digest window starting at `windowStart` already counts `threshold` messages. Read without
 * the channel lock: within a window the count only grows, so a full window stays full.
 */
export async function digestWindowFull(db: Kysely<Database>, channel: string, windowStart: Date, threshold: number): Promise<boolean> {
  const row = await notifierDb(db).selectFrom('channel_state').select('channel').where('channel', '=', channel).where('window_start', '=', windowStart).where('window_count', '>=', threshold).executeTakeFirst();
  return row !== undefined;
}

export async function updateChannelState(db: Kysely<Database>, channel: string, patch: Partial<Omit<ChannelState, 'channel'>>): Promise<void> {
  await notifierDb(db).updateTable('channel_state').set({ ...patch, updated_at: new Date() }).where('channel', '=', channel).execute();
}

export interface ChannelReport {
  channel: string;
  /** null for a channel that has deliveries or send state but is no longer configured */
  type: string | null;
  paused_until: Date | null;
  pause_failures: number;
  pause_reason: string | null;
  last_send_at: Date | null;
  /** deliveries by state: pending, ready, sending, held, digest, dead, cancelled */
  counts: Record<string, number>;
}

/** Every channel (configured, or with deliveries or send state): its pause, last send, and its deliveries not sent (waiting, dead or cancelled). */
export async function listChannelReports(db: Kysely<Database>): Promise<ChannelReport[]> {
  const configured = await db.selectFrom('channels').select(['name', 'type']).execute();
  const states = await notifierDb(db).selectFrom('channel_state').select(CHANNEL_STATE_COLUMNS).execute();
  const counts = await db
    .selectFrom('deliveries')
    .select(['channel', 'state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('state', 'not in', ['sent', 'digested'])
    .groupBy(['channel', 'state'])
    .execute();
  const names = new Set([...configured.map((c) => c.name), ...states.map((s) => s.channel), ...counts.map((c) => c.channel)]);
  return [...names].sort().map((channel) => {
    const st = states.find((s) => s.channel === channel);
    return {
      channel,
      type: configured.find((c) => c.name === channel)?.type ?? null,
      paused_until: st?.paused_until ?? null,
      pause_failures: st?.pause_failures ?? 0,
      pause_reason: st?.pause_reason ?? null,
      last_send_at: st?.last_send_at ?? null,
      counts: Object.fromEntries(counts.filter((c) => c.channel === channel).map((c) => [c.state, Number(c.n)])),
    };
  });
}

/**
 * A paused channel answered again: its deliveries and digest that were waiting for the pause (due by `upTo`) become
 * due now. Returns the delivery row ids (they need a job) and whether a digest was woken.
 */
export async function wakeChannelWaiters(db: Kysely<Database>, channel: string, upTo: Date, now: Date): Promise<{ deliveryIds: string[]; digest: boolean }> {
  const deliveries = await db
    .updateTable('deliveries')
    .set({ next_attempt_at: now, updated_at: now })
    .where('channel', '=', channel)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .where('next_attempt_at', '<=', upTo)
    .returning('id')
    .execute();
  const digests = await notifierDb(db)
    .updateTable('digests')
    .set({ next_attempt_at: now, updated_at: now })
    .where('channel', '=', channel)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .where('next_attempt_at', '<=', upTo)
    .returning('id')
    .execute();
  return { deliveryIds: deliveries.map((d) => d.id), digest: digests.length > 0 };
}

export async function recordAttempt(db: Kysely<Database>, a: { deliveryId: string; attempt: number; outcome: string; status?: number | null; error?: string | null; at: Date }): Promise<void> {
  await notifierDb(db).insertInto('delivery_attempts').values({ delivery_id: a.deliveryId, attempt: a.attempt, outcome: a.outcome, status: a.status ?? null, error: a.error ?? null, started_at: a.at }).execute();
}

export async function loadChannel(db: Kysely<Database>, name: string): Promise<ChannelConfig | undefined> {
  const row = await db.selectFrom('channels').select(['name', 'type', 'settings']).where('name', '=', name).executeTakeFirst();
  if (!row) return undefined;
  return { ...(row.settings as object), name: row.name, type: row.type } as ChannelConfig;
}

export interface DeadDelivery {
  id: string;
  delivery_id: string;
  alert_id: string;
  channel: string;
  level: number;
  attempts: number;
  last_error: string | null;
  updated_at: Date;
}

/** Deliveries that gave up (the dead-letter list the API shows). */
export async function listDeadDeliveries(db: Kysely<Database>, opts: { limit?: number; channel?: string } = {}): Promise<DeadDelivery[]> {
  let q = db.selectFrom('deliveries').select(['id', 'delivery_id', 'alert_id', 'channel', 'level', 'attempts', 'last_error', 'updated_at']).where('state', '=', 'dead');
  if (opts.channel) q = q.where('channel', '=', opts.channel);
  return q.orderBy('id').limit(opts.limit ?? 100).execute();
}

/** Moves dead deliveries back to pending with a fresh attempt budget (same delivery id); returns their row ids. */
export async function requeueDeadDeliveries(db: Kysely<Database>, now: Date, ids?: string[]): Promise<string[]> {
  let q = db.updateTable('deliveries').set({ state: 'pending', attempts: 0, digest_id: null, next_attempt_at: now, updated_at: now }).where('state', '=', 'dead');
  if (ids?.length) q = q.where('id', 'in', ids);
  return (await q.returning('id').execute()).map((r) => r.id);
}

/** Work whose job should have run by now: a notifier died mid-send, or a job was lost. */
export async function findStaleWork(db: Kysely<Database>, olderThan: Date) {
  const deliveries = await db
    .selectFrom('deliveries')
    .select('id')
    .where((eb) => eb.or([eb.and([eb('state', '=', 'sending'), eb('updated_at', '<', olderThan)]), eb.and([eb('state', 'in', ['pending', 'ready']), eb('next_attempt_at', '<', olderThan)])]))
    .limit(1000)
    .execute();
  const digestChannels = await notifierDb(db)
    .selectFrom('digests')
    .select('channel')
    .where((eb) => eb.or([eb.and([eb('state', '=', 'sending'), eb('updated_at', '<', olderThan)]), eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<', olderThan)])]))
    .union(db.selectFrom('deliveries').select('channel').where('state', 'in', ['digest', 'held']).where('next_attempt_at', '<', olderThan))
    .execute();
  return { deliveryIds: deliveries.map((d) => d.id), digestChannels: [...new Set(digestChannels.map((c) => c.channel))] };
}

export type DigestRow = { id: string; channel: string; reason: string; state: string; attempts: number; next_attempt_at: Date; updated_at: Date };

/**
 * An unfinished digest of the channel that is due (pending) or abandoned mid-send (stale 'sending'). Waits for a
 * digest row locked by an acknowledgement (cancelWaitingDeliveries) instead of skipping it: the caller holds the
 * channel lock, so no other sender competes, and a skipped digest would wait for the stale-work sweep.
 */
export async function findResumableDigest(db: Kysely<Database>, channel: string, now: Date, staleBefore: Date): Promise<DigestRow | undefined> {
  return notifierDb(db)
    .selectFrom('digests')
    .select(['id', 'channel', 'reason', 'state', 'attempts', 'next_attempt_at', 'updated_at'])
    .where('channel', '=', channel)
    .where((eb) => eb.or([eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('state', '=', 'sending'), eb('updated_at', '<', staleBefore)])]))
    .orderBy('created_at')
    .forUpdate()
    .executeTakeFirst();
}

/** Folds the channel's due 'digest' and 'held' deliveries into a new digest; undefined when none is due. */
export async function createDigestFromDue(db: Kysely<Database>, channel: string, now: Date, limit = 500): Promise<DigestRow | undefined> {
  const due = await db
    .selectFrom('deliveries')
    .select(['id', 'state'])
    .where('channel', '=', channel)
    .where('state', 'in', ['digest', 'held'])
    .where('next_attempt_at', '<=', now)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (!due.length) return undefined;
  const reason = due.every((d) => d.state === 'held') ? 'quiet_hours' : 'burst';
  const n = notifierDb(db);
  const digest = await n
    .insertInto('digests')
    .values({ channel, reason, alert_count: due.length, next_attempt_at: now })
    .returning(['id', 'channel', 'reason', 'state', 'attempts', 'next_attempt_at', 'updated_at'])
    .executeTakeFirstOrThrow();
  await db.updateTable('deliveries').set({ state: 'digested', digest_id: digest.id, updated_at: now }).where('id', 'in', due.map((d) => d.id)).execute();
  return digest;
}

export async function hasDueDigestWork(db: Kysely<Database>, channel: string, now: Date): Promise<boolean> {
  const r = await db.selectFrom('deliveries').select('id').where('channel', '=', channel).where('state', 'in', ['digest', 'held']).where('next_attempt_at', '<=', now).limit(1).executeTakeFirst();
  return !!r;
}

export async function updateDigest(db: Kysely<Database>, id: string, patch: { state?: string; attempts?: number; alert_count?: number; last_error?: string | null; next_attempt_at?: Date; sent_at?: Date }, now: Date, guard?: { state: string; attempts: number }): Promise<boolean> {
  let q = notifierDb(db).updateTable('digests').set({ ...patch, updated_at: now }).where('id', '=', id);
  if (guard) q = q.where('state', '=', guard.state).where('attempts', '=', guard.attempts);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The alerts a digest carries: its deliveries not left out since it was built (cancelled ones are not in it). */
export async function digestAlertIds(db: Kysely<Database>, digestId: string): Promise<{ alertId: string; level: number }[]> {
  const rows = await db.selectFrom('deliveries').select(['alert_id', 'level']).where('digest_id', '=', digestId).where('state', '=', 'digested').orderBy('id').execute();
  return rows.map((r) => ({ alertId: r.alert_id, level: r.level }));
}

/**
 * When a digest is sent its deliveries are sent; when it dies they die too (and `alerts retry --dead` requeues them).
 * Deliveries cancelled before it went out stay cancelled: neither sent nor requeued.
 */
export async function settleDigestDeliveries(db: Kysely<Database>, digestId: string, outcome: 'sent' | 'dead', now: Date, error?: string): Promise<void> {
  const patch = outcome === 'sent' ? { sent_at: now, updated_at: now } : { state: 'dead', last_error: error ?? 'digest failed', updated_at: now };
  await db.updateTable('deliveries').set(patch).where('digest_id', '=', digestId).where('state', '=', 'digested').execute();
}
