// Owns the end-of-run checks of the chaos and multi-worker runs: tweets stored once, cases equal to `replywatch analyze`, due alerts raised once and delivered once per channel, nothing stuck.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.ts';
import { readTwcs } from '../../src/sources/twcs.ts';
import { formatTwcsDate } from '../../src/sources/twcs-generator.ts';
import { TWCS_COLUMNS } from '../../src/sources/twcs.ts';
import type { FakeReceiver } from '../fakes/receiver.ts';
import { runCli } from '../helpers/cli.ts';
import { deliverJobKey } from '../../src/alerts/job-keys.ts';


export interface Violation {
  invariant: string;
  detail: string;
}

export interface InvariantReport {
  ok: boolean;
  violations: Violation[];
  counts: Record<string, number>;
}

/** Writes the rows of a TWCS file whose ids are in `keep`, unchanged otherwise (the data the system was served). */
export async function filterTwcs(src: string, dest: string, keep: Set<string>): Promise<number> {
  const csv = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const out: string[] = [TWCS_COLUMNS.join(',') + '\r\n'];
  for await (const batch of readTwcs(src)) {
    for (const t of batch) {
      if (!keep.has(t.id)) continue;
      out.push([t.id, t.authorId, t.isBrand ? 'False' : 'True', formatTwcsDate(t.createdAt.getTime()), csv(t.text), csv((t.responseTweetIds ?? []).join(',')), t.inReplyToTweetId ?? ''].join(',') + '\r\n');
    }
  }
  fs.writeFileSync(dest, out.join(''));
  return out.length - 1;
}

interface AnalyzedCase {
  case_id: string;
  opened_at: string;
  first_response_seconds: number | null;
  first_response_business_seconds: number | null;
  next_response_seconds: number[];
  customer_tweets: number;
  brand_replies: number;
  nudges: number;
  replies: { tweet_id: string; kind: string }[];
}

/** Every case the database holds equals the one `replywatch analyze` computes from the same tweets, and vice versa. */
export async function compareWithAnalyze(db: Db, twcsFile: string, configFile: string, workDir: string, served: Set<string>, v: Violation[]): Promise<{ cases: number; compared: number }> {
  const file = path.join(workDir, 'served.csv');
  await filterTwcs(twcsFile, file, served);
  const out = path.join(workDir, 'analyze-out');
  const res = await runCli(['analyze', file, '--out', out, '--config', configFile], { env: { LOG_LEVEL: 'warn' } });
  if (res.code !== 0) {
    v.push({ invariant: 'analyze runs', detail: res.stderr.slice(0, 500) });
    return { cases: 0, compared: 0 };
  }
  const expected = new Map<string, AnalyzedCase>();
  for (const line of fs.readFileSync(path.join(out, 'cases.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as AnalyzedCase;
    expected.set(c.case_id, c);
  }
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'case_key', 'opened_at', 'first_response_seconds', 'first_response_business_seconds', 'next_response_seconds', 'customer_tweets', 'brand_replies', 'nudges'])
    .execute();
  const kinds = new Map<string, Map<string, string | null>>();
  for (const r of await db.selectFrom('tweet_classifications').select(['case_id', 'tweet_id', 'kind']).where('role', '=', 'brand').execute()) {
    if (!r.case_id) continue;
    const m = kinds.get(r.case_id) ?? new Map<string, string | null>();
    kinds.set(r.case_id, m);
    m.set(r.tweet_id, r.kind);
  }
  const mismatches: string[] = [];
  let compared = 0;
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(r.case_key);
    const e = expected.get(r.case_key);
    if (!e) {
      mismatches.push(`${r.case_key}: in the database, not in analyze`);
      continue;
    }
    compared++;
    const diffs: string[] = [];
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (r.opened_at.toISOString() !== e.opened_at) diffs.push(`opened_at ${r.opened_at.toISOString()} vs ${e.opened_at}`);
    if (!same(r.first_response_seconds, e.first_response_seconds)) diffs.push(`first_response_seconds ${r.first_response_seconds} vs ${e.first_response_seconds}`);
    if (!same(r.first_response_business_seconds, e.first_response_business_seconds)) diffs.push(`first_response_business_seconds ${r.first_response_business_seconds} vs ${e.first_response_business_seconds}`);
    if (!same(r.next_response_seconds, e.next_response_seconds)) diffs.push(`next_response_seconds ${JSON.stringify(r.next_response_seconds)} vs ${JSON.stringify(e.next_response_seconds)}`);
    if (r.customer_tweets !== e.customer_tweets) diffs.push(`customer_tweets ${r.customer_tweets} vs ${e.customer_tweets}`);
    if (r.brand_replies !== e.brand_replies) diffs.push(`brand_replies ${r.brand_replies} vs ${e.brand_replies}`);
    if (r.nudges !== e.nudges) diffs.push(`nudges ${r.nudges} vs ${e.nudges}`);
    const dbKinds = kinds.get(r.id) ?? new Map();
    for (const reply of e.replies) if (dbKinds.has(reply.tweet_id) && dbKinds.get(reply.tweet_id) !== reply.kind) diffs.push(`reply ${reply.tweet_id} kind ${dbKinds.get(reply.tweet_id)} vs ${reply.kind}`);
    if (diffs.length) mismatches.push(`${r.case_key}: ${diffs.join('; ')}`);
  }
  for (const key of expected.keys()) if (!seen.has(key)) mismatches.push(`${key}: in analyze, not in the database`);
  if (mismatches.length) v.push({ invariant: 'every case equals replywatch analyze', detail: `${mismatches.length} cases differ, e.g. ${mismatches.slice(0, 5).join(' | ')}` });
  return { cases: rows.length, compared };
}

export interface CheckInput {
  db: Db;
  /** Post ids the fake X server returned in a 200 response. */
  served: Set<string>;
  published: Set<string>;
  /** Published posts that belong to a watched handle (all of them must have been served). */
  relevant: Set<string>;
  twcsFile: string;
  configFile: string;
  receiver: FakeReceiver;
  /** Deadlines due before this must have fired. */
  cutoff: Date;
  /**
   * When the system was seen settled. The workers keep running until they are stopped, so a deadline falling due
   * after this can still raise an alert whose delivery is left queued by the stop: such a delivery must have its job
   * waiting (nothing lost), not be sent.
   */
  settledAt?: Date;
  dir: string;
  /** Channels every alert goes to. */
  channels?: { name: string; path: string }[];
}

export async function checkInvariants(input: CheckInput): Promise<InvariantReport> {
  const { db } = input;
  const v: Violation[] = [];
  const counts: Record<string, number> = {};

  // 1. Every served tweet stored once, nothing else stored.
  const stored = (await sql<{ id: string }>`select id::text as id from tweets`.execute(db)).rows.map((r) => r.id);
  const storedSet = new Set(stored);
  counts.served = input.served.size;
  counts.stored = stored.length;
  const notStored = [...input.served].filter((id) => !storedSet.has(id));
  const notServed = stored.filter((id) => !input.served.has(id));
  const neverServed = [...input.relevant].filter((id) => !input.served.has(id));
  if (notStored.length) v.push({ invariant: 'every served tweet stored', detail: `${notStored.length} missing, e.g. ${notStored.slice(0, 3).join(', ')}` });
  if (notServed.length) v.push({ invariant: 'only served tweets stored', detail: `${notServed.length} unexpected, e.g. ${notServed.slice(0, 3).join(', ')}` });
  if (neverServed.length) v.push({ invariant: 'every published tweet of a watched handle served', detail: `${neverServed.length} never polled` });
  if (storedSet.size !== stored.length) v.push({ invariant: 'each tweet stored once', detail: `${stored.length - storedSet.size} duplicates` });
  const dupLinks = (await sql<{ n: string }>`select count(*)::text as n from (select tweet_id, handle_id from tweet_handles group by 1, 2 having count(*) > 1) d`.execute(db)).rows[0]!.n;
  if (Number(dupLinks)) v.push({ invariant: 'each tweet linked to a handle once', detail: `${dupLinks} duplicate links` });

  // 2. Cases equal `replywatch analyze` on the served tweets.
  const cmp = await compareWithAnalyze(db, input.twcsFile, input.configFile, input.dir, input.served, v);
  counts.cases = cmp.cases;
  counts.casesCompared = cmp.compared;

  // 3. Every due alert raised once.
  const alerts = await db.selectFrom('alerts').select(['id', 'dedup_key', 'kind', 'state', 'case_id', 'raised_at']).select(sql<number>`reopened_count`.as('reopened')).execute();
  counts.alerts = alerts.length;
  const byKind = new Map<string, number>();
  for (const a of alerts) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
  for (const [k, n] of byKind) counts[`alerts.${k}`] = n;
  if (new Set(alerts.map((a) => a.dedup_key)).size !== alerts.length) v.push({ invariant: 'each alert raised once', detail: 'duplicate dedup keys' });
  const overdue = await sql<{ id: string; case_key: string; wait_metric: string; wait_seq: number; next_due_at: Date }>`
    select c.id::text as id, c.case_key, c.wait_metric, c.wait_seq, c.next_due_at from cases c
    where c.state = 'open' and c.awaiting_since is not null and c.next_due_at < ${input.cutoff}
      and not exists (select 1 from alerts a where a.dedup_key = 'sla_breach:' || c.id and a.state <> 'resolved')`.execute(db);
  const overdueAll = await sql<{ n: string }>`select count(*)::text as n from cases where state = 'open' and awaiting_since is not null and next_due_at < ${input.cutoff}`.execute(db);
  counts.overdueOpenCases = Number(overdueAll.rows[0]!.n);
  if (overdue.rows.length) v.push({ invariant: 'every overdue open case has its breach alert', detail: `${overdue.rows.length} without, e.g. ${overdue.rows.slice(0, 3).map((r) => `${r.case_key} due ${r.next_due_at.toISOString()}`).join(', ')}` });
  const unalerted = await sql<{ n: string }>`
    select count(*)::text as n from breaches b join cases c on c.id = b.case_id
    where b.answered_at is null and b.due_at < ${input.cutoff} and b.alert_id is null`.execute(db);
  if (Number(unalerted.rows[0]!.n)) v.push({ invariant: 'every open breach has an alert', detail: `${unalerted.rows[0]!.n} breaches without an alert` });

  // 4. Delivered to each channel with one delivery id.
  const channels = input.channels ?? [
    { name: 'hook-a', path: '/a' },
    { name: 'hook-b', path: '/b' },
  ];
  const deliveries = await db.selectFrom('deliveries').select(['id', 'alert_id', 'channel', 'level', 'state', 'delivery_id']).where('level', '=', 0).execute();
  const queuedKeys = new Set((await sql<{ key: string }>`select key from graphile_worker._private_jobs where key like 'deliver_alert:%' and locked_at is null`.execute(db)).rows.map((r) => r.key));
  const lateQueued = new Set<string>();
  counts.deliveries = deliveries.length;
  const byAlert = new Map<string, typeof deliveries>();
  for (const d of deliveries) byAlert.set(d.alert_id, [...(byAlert.get(d.alert_id) ?? []), d]);
  const received = new Map<string, { path: string; alertId: string }[]>();
  for (const r of input.receiver.requests) {
    if (!r.deliveryId) continue;
    received.set(r.deliveryId, [...(received.get(r.deliveryId) ?? []), { path: r.path, alertId: String(r.json?.alert?.id ?? '') }]);
  }
  counts.webhookRequests = input.receiver.requests.length;
  counts.uniqueDeliveryIdsReceived = received.size;
  const problems: string[] = [];
  let cancelled = 0;
  for (const a of alerts) {
    const ds = byAlert.get(a.id) ?? [];
    for (const ch of channels) {
      const mine = ds.filter((d) => d.channel === ch.name);
      if (mine.length !== 1) {
        problems.push(`alert ${a.id} (${a.kind}) has ${mine.length} deliveries to ${ch.name}`);
        continue;
      }
      const d = mine[0]!;
      const late = input.settledAt !== undefined && a.raised_at >= input.settledAt;
      if (late && d.state === 'pending' && queuedKeys.has(deliverJobKey(String(d.id)))) {
        lateQueued.add(String(d.id));
        continue;
      }
      // Acknowledged or resolved (API or CLI) before it went out: left out on purpose, not lost. An open alert's
      // delivery is never cancelled (a reopen plans new deliveries).
      if (d.state === 'cancelled' && a.state !== 'open') {
        cancelled++;
        continue;
      }
      if (d.state !== 'sent') problems.push(`alert ${a.id} to ${ch.name}: delivery ${d.state}${late ? ' (raised after the system settled, and no delivery job waits for it)' : ''}`);
      else if (!received.get(d.delivery_id)?.some((x) => x.path === ch.path)) problems.push(`alert ${a.id} to ${ch.name}: marked sent, never received`);
      // A reopened alert is delivered again under a new id; otherwise one id per alert and channel.
      const ids = new Set([...received.entries()].filter(([, xs]) => xs.some((x) => x.path === ch.path && x.alertId === a.id)).map(([id]) => id));
      if (ids.size > 1 + Number(a.reopened)) problems.push(`alert ${a.id} to ${ch.name}: ${ids.size} delivery ids received (reopened ${a.reopened}×)`);
    }
  }
  for (const [id, xs] of received) if (new Set(xs.map((x) => `${x.path}|${x.alertId}`)).size > 1) problems.push(`delivery id ${id} used for two messages`);
  if (problems.length) v.push({ invariant: 'every alert delivered to each channel with one delivery id', detail: `${problems.length} problems, e.g. ${problems.slice(0, 5).join(' | ')}` });
  const retried = [...received.values()].filter((xs) => xs.length > 1).length;
  counts.deliveryIdsReceivedMoreThanOnce = retried;
  counts.deliveriesQueuedAfterSettling = lateQueued.size;
  counts.deliveriesCancelled = cancelled;

  // 5. Nothing stuck in flight.
  const jobs = await sql<{ task: string; locked: boolean; failed: boolean; husk: boolean; due: boolean; last_error: string | null }>`
    select t.identifier as task, j.locked_at is not null as locked,
           j.attempts >= j.max_attempts and j.last_error is not null as failed,
           j.attempts >= j.max_attempts and j.last_error is null and j.key is null as husk,
           j.run_at < ${input.cutoff} as due, j.last_error
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id`.execute(db);
  const locked = jobs.rows.filter((j) => j.locked);
  const failed = jobs.rows.filter((j) => j.failed);
  // A job superseded by its own replacement while running (graphile-worker's job_key semantics) and left by a kill.
  counts.supersededJobsLeft = jobs.rows.filter((j) => j.husk).length;
  const dueWork = jobs.rows.filter((j) => j.due && !j.failed && !j.husk && ['check_deadline', 'deliver_alert', 'analyze_handle', 'send_digest'].includes(j.task));
  counts.jobsLeft = jobs.rows.length;
  if (locked.length) v.push({ invariant: 'no job left locked', detail: `${locked.length}: ${[...new Set(locked.map((j) => j.task))].join(', ')}` });
  if (failed.length) v.push({ invariant: 'no job failed for good', detail: `${failed.length}, e.g. ${failed.slice(0, 3).map((j) => `${j.task}: ${j.last_error?.slice(0, 120)}`).join(' | ')}` });
  if (dueWork.length) v.push({ invariant: 'no due work left queued', detail: `${dueWork.length}: ${[...new Set(dueWork.map((j) => j.task))].join(', ')}` });
  // Final states: sent, dead (gave up, `alerts retry --dead`), digested (its digest carries it), cancelled (the alert
  // was acknowledged or resolved before it went out).
  const inflight = await sql<{ state: string; n: string }>`select state, count(*)::text as n from deliveries where state not in ('sent', 'dead', 'digested', 'cancelled') and not (id::text = any(${[...lateQueued]}::text[])) group by state`.execute(db);
  if (inflight.rows.length) v.push({ invariant: 'no delivery in flight', detail: inflight.rows.map((r) => `${r.n} ${r.state}`).join(', ') });

  return { ok: v.length === 0, violations: v, counts };
}
