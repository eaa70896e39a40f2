// Owns writing the breach event log: one row per missed target, stamped with its due time, completed when the brand answers.
import { sql } from 'kysely';
import type pg from 'pg';
import type { Db } from './connect.ts';
import { insertStaged } from './copy.ts';

export interface NewBreach {
  caseId: string;
  handleId: number;
  teamId: number | null;
  metric: 'first_response' | 'next_response';
  sequence: number;
  policy: string;
  clock: string;
  targetSeconds: number;
  startedAt: Date;
  dueAt: Date;
  answeredAt?: Date;
  actualSeconds?: number;
  actualBusinessSeconds?: number;
  overBySeconds?: number;
}

function toRow(b: NewBreach) {
  return {
    case_id: b.caseId,
    handle_id: b.handleId,
    team_id: b.teamId,
    metric: b.metric,
    sequence: b.sequence,
    policy: b.policy,
    clock: b.clock,
    target_seconds: b.targetSeconds,
    started_at: b.startedAt,
    due_at: b.dueAt,
    answered_at: b.answeredAt ?? null,
    actual_seconds: b.actualSeconds ?? null,
    actual_business_seconds: b.actualBusinessSeconds ?? null,
    over_by_seconds: b.overBySeconds ?? null,
  };
}

/** Records a breach once (unique per case, metric and sequence); returns its id when this call created it. */
export async function insertBreach(db: Db, b: NewBreach): Promise<string | undefined> {
  const row = await db
    .insertInto('breaches')
    .values(toRow(b))
    .onConflict((oc) => oc.constraint('breaches_unique').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

const BREACH_COLUMNS = ['case_id', 'handle_id', 'team_id', 'metric', 'sequence', 'policy', 'clock', 'target_seconds', 'started_at', 'due_at', 'answered_at', 'actual_seconds', 'actual_business_seconds', 'over_by_seconds'] as const;

/**
 * Records many answered breaches at once; returns the keys (`caseId|metric|sequence`) that already existed. Runs in
 * `trx`, on `client` (see clientTransaction): a backlog answers thousands of late waits a batch.
 */
export async function insertAnsweredBreaches(trx: Db, client: pg.PoolClient, rows: NewBreach[]): Promise<string[]> {
  if (!rows.length) return [];
  const key = (r: { case_id: string; metric: string; sequence: number }) => `${r.case_id}|${r.metric}|${r.sequence}`;
  const res = await insertStaged<{ case_id: string; metric: string; sequence: number }>(
    trx,
    client,
    'breaches',
    BREACH_COLUMNS,
    rows.map((b) => {
      const r = toRow(b);
      return BREACH_COLUMNS.map((c) => r[c]);
    }),
    sql`order by case_id, metric, sequence on conflict on constraint breaches_unique do nothing returning case_id, metric, sequence`,
  );
  const inserted = new Set(res.map(key));
  return rows.map((r) => key({ case_id: r.caseId, metric: r.metric, sequence: r.sequence })).filter((k) => !inserted.has(k));
}

export async function linkBreachAlert(db: Db, breachId: string, alertId: string): Promise<void> {
  await db.updateTable('breaches').set({ alert_id: alertId }).where('id', '=', breachId).execute();
}

/** Completes an open breach with the answer: when, how long on each clock, and by how much it missed. */
export async function answerBreach(
  db: Db,
  key: { caseId: string; metric: string; sequence: number },
  a: { answeredAt: Date; actualSeconds: number; actualBusinessSeconds: number; overBySeconds: number },
): Promise<boolean> {
  const res = await db
    .updateTable('breaches')
    .set({ answered_at: a.answeredAt, actual_seconds: a.actualSeconds, actual_business_seconds: a.actualBusinessSeconds, over_by_seconds: a.overBySeconds })
    .where('case_id', '=', key.caseId)
    .where('metric', '=', key.metric)
    .where('sequence', '=', key.sequence)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Auto-resolves a case's open SLA alerts when the brand answers. The breach rows stay: the log
 * records what happened, the alert only says whether someone still needs to act.
 */
/** Resolves the case's open alerts of these kinds; returns the alerts it resolved. */
export async function resolveCaseAlerts(db: Db, caseIds: string[], kinds: string[], resolution: string, now: Date): Promise<{ id: string; kind: string }[]> {
  if (!caseIds.length) return [];
  const rows = await db
    .updateTable('alerts')
    .set({ state: 'resolved', resolved_at: now, resolved_by: 'analyzer', resolution, updated_at: now })
    .where('case_id', 'in', caseIds)
    .where('kind', 'in', kinds)
    .where('state', '<>', 'resolved')
    .returning(['id', 'kind'])
    .execute();
  return rows;
}

/** Points a reopened breach alert at the new breach (its due time, title and reasons), keeping its id and history. */
export async function refreshReopenedAlert(
  db: Db,
  alertId: string,
  a: { title: string; reasons: string[]; details: Record<string, unknown>; dueAt: Date; raisedAt: Date; severity: string },
): Promise<void> {
  await db
    .updateTable('alerts')
    .set({ title: a.title, reasons: JSON.stringify(a.reasons), details: JSON.stringify(a.details), due_at: a.dueAt, raised_at: a.raisedAt, severity: a.severity, updated_at: a.raisedAt })
    .where('id', '=', alertId)
    .execute();
}
