// Owns turning alert rows into the AlertView that messages render (customer, waited time, target).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { loadAlertsForMessage, type AlertViewRow } from '../db/alert.repository.ts';
import type { AlertView } from './message.ts';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function toView(r: AlertViewRow, level: number, now: Date): AlertView {
  const d = r.details ?? {};
  const waited = num(d.waitedSeconds) ?? (r.awaiting_since ? (now.getTime() - new Date(r.awaiting_since).getTime()) / 1000 : null);
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    title: r.title,
    reasons: r.reasons ?? [],
    details: d,
    handle: r.handle,
    team: r.team,
    caseId: r.case_id,
    tweetId: r.tweet_id,
    customer: (typeof d.customer === 'string' ? d.customer : null) ?? (r.customer_username ? '@' + r.customer_username : r.customer_id),
    waitedSeconds: waited,
    targetSeconds: num(d.targetSeconds),
    dueAt: r.due_at,
    raisedAt: r.raised_at,
    level,
  };
}

export async function loadViews(db: Kysely<Database>, items: { alertId: string; level: number }[], now: Date): Promise<AlertView[]> {
  const rows = new Map((await loadAlertsForMessage(db, [...new Set(items.map((i) => i.alertId))])).map((r) => [r.id, r]));
  return items.filter((i) => rows.has(i.alertId)).map((i) => toView(rows.get(i.alertId)!, i.level, now));
}
