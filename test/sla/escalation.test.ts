// An answer resolves the wait's SLA alerts and cancels their escalation: the lead is not paged about a customer who got a reply.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from '../helpers/cli.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, pendingJobs } from './helpers.ts';
import { parseFileConfig } from '../../src/config.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { checkDeadline } from '../../workers/check-deadline.ts';
import { escalateJobKey } from '../../src/alerts/job-keys.ts';
import { slaDb } from '../../src/db/sla.schema.ts';

const FILE_CONFIG = {
  policies: [
    { name: 'fast', clock: 'wall', firstResponseMinutes: 60, warnRatios: [] },
    { name: 'warned', clock: 'wall', firstResponseMinutes: 60, warnRatios: [0.5] },
  ],
  teams: [
    { name: 'care', calendar: 'always', policy: 'fast' },
    { name: 'desk', calendar: 'always', policy: 'warned' },
  ],
  handles: [
    { handle: 'EscalateHelp', team: 'care' },
    { handle: 'WarnHelp', team: 'desk' },
  ],
  channels: [
    { name: 'team', type: 'console' },
    { name: 'lead', type: 'console' },
  ],
  routes: [
    { name: 'care', match: { teams: ['care'] }, channels: ['team'], escalate: { afterMinutes: 30, channels: ['lead'] } },
    { name: 'desk', match: { teams: ['desk'] }, channels: ['team'] },
  ],
};

let t: TestDb;
let dir: string;
beforeAll(async () => {
  t = await createTestDb();
  await syncConfig(t.db, parseFileConfig(FILE_CONFIG, {}));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-escalation-'));
  fs.writeFileSync(path.join(dir, 'config.yaml'), YAML.stringify(FILE_CONFIG));
});
afterAll(async () => {
  await t?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('removes the escalation of a breach alert when the brand answers', async () => {
  const h = await t.db.selectFrom('handles').select('id').where('handle', '=', 'EscalateHelp').executeTakeFirstOrThrow();
  await addTweets(t.db, h.id, 'EscalateHelp', [{ id: '7001', author: '4242', text: 'my card was charged twice', at: '2026-03-02T10:00:00Z' }]);
  await analyze(t.db, h.id, '2026-03-02T10:00:05Z');
  const c = await slaDb(t.db).selectFrom('cases').select('id').where('handle_id', '=', h.id).executeTakeFirstOrThrow();
  expect(await checkDeadline(t.db, { caseId: c.id, metric: 'first_response', seq: 0, level: 'breach' }, new Date('2026-03-02T11:00:00.500Z'))).toBe('raised');
  const alert = await t.db.selectFrom('alerts').select(['id', 'state']).where('kind', '=', 'sla_breach').executeTakeFirstOrThrow();
  const key = escalateJobKey(alert.id, 'care');
  expect((await pendingJobs(t.db, 'escalate_alert:')).map((j) => j.key)).toEqual([key]);

  await addTweets(t.db, h.id, 'EscalateHelp', [{ id: '7002', author: 'EscalateHelp', text: 'Sorry! The second charge is refunded now.', at: '2026-03-02T11:10:00Z', replyTo: '7001', brand: true }]);
  await analyze(t.db, h.id, '2026-03-02T11:10:05Z');
  expect(await t.db.selectFrom('alerts').select(['state', 'resolution']).where('id', '=', alert.id).executeTakeFirstOrThrow()).toEqual({ state: 'resolved', resolution: 'answered' });
  expect(await pendingJobs(t.db, 'escalate_alert:')).toEqual([]);
});

it('leaves out the unsent delivery of a warning the answer made untrue, and still sends the breach', async () => {
  const h = await t.db.selectFrom('handles').select('id').where('handle', '=', 'WarnHelp').executeTakeFirstOrThrow();
  await addTweets(t.db, h.id, 'WarnHelp', [{ id: '7101', author: '4343', text: 'my parcel never came', at: '2026-03-03T10:00:00Z' }]);
  await analyze(t.db, h.id, '2026-03-03T10:00:05Z');
  const c = await slaDb(t.db).selectFrom('cases').select('id').where('handle_id', '=', h.id).executeTakeFirstOrThrow();
  expect(await checkDeadline(t.db, { caseId: c.id, metric: 'first_response', seq: 0, level: 'warn50' }, new Date('2026-03-03T10:30:00.500Z'))).toBe('raised');
  expect(await checkDeadline(t.db, { caseId: c.id, metric: 'first_response', seq: 0, level: 'breach' }, new Date('2026-03-03T11:00:00.500Z'))).toBe('raised');
  // No notifier runs here: both deliveries wait, as they do when held for the morning or paced behind others.
  const deliveries = () =>
    t.db
      .selectFrom('deliveries as d')
      .innerJoin('alerts as a', 'a.id', 'd.alert_id')
      .select(['a.kind', 'd.state', 'd.last_error'])
      .where('a.case_id', '=', c.id)
      .orderBy('a.kind')
      .execute();
  expect((await deliveries()).map((d) => d.state)).not.toContain('cancelled');

  await addTweets(t.db, h.id, 'WarnHelp', [{ id: '7102', author: 'WarnHelp', text: 'It is out for delivery today.', at: '2026-03-03T11:05:00Z', replyTo: '7101', brand: true }]);
  await analyze(t.db, h.id, '2026-03-03T11:05:05Z');
  const after = await deliveries();
  expect(after.filter((d) => d.kind === 'sla_warning')).toEqual([{ kind: 'sla_warning', state: 'cancelled', last_error: 'answered (the brand replied) before it was sent' }]);
  const breach = after.filter((d) => d.kind === 'sla_breach');
  expect(breach).toHaveLength(1);
  expect(breach[0]!.state).not.toBe('cancelled');
  const alerts = await t.db.selectFrom('alerts').select(['kind', 'state', 'resolution']).where('case_id', '=', c.id).orderBy('kind').execute();
  expect(alerts).toEqual([
    { kind: 'sla_breach', state: 'resolved', resolution: 'answered' },
    { kind: 'sla_warning', state: 'resolved', resolution: 'answered' },
  ]);
});

it('`replywatch alerts ack` and `resolve` change the alert and stop its escalation; unknown or resolved alerts exit 1', async () => {
  const h = await t.db.selectFrom('handles').select('id').where('handle', '=', 'EscalateHelp').executeTakeFirstOrThrow();
  await addTweets(t.db, h.id, 'EscalateHelp', [{ id: '7101', author: '4343', text: 'my parcel never came', at: '2026-03-03T10:00:00Z' }]);
  await analyze(t.db, h.id, '2026-03-03T10:00:05Z');
  const c = await slaDb(t.db).selectFrom('cases').select('id').where('handle_id', '=', h.id).where('customer_id', '=', '4343').executeTakeFirstOrThrow();
  expect(await checkDeadline(t.db, { caseId: c.id, metric: 'first_response', seq: 0, level: 'breach' }, new Date('2026-03-03T11:00:00.500Z'))).toBe('raised');
  const alert = await t.db.selectFrom('alerts').select('id').where('case_id', '=', c.id).where('kind', '=', 'sla_breach').executeTakeFirstOrThrow();
  expect((await pendingJobs(t.db, 'escalate_alert:')).map((j) => j.key)).toEqual([escalateJobKey(alert.id, 'care')]);
  const env = { DATABASE_URL: t.url, REPLYWATCH_CONFIG: path.join(dir, 'config.yaml'), LOG_LEVEL: 'warn' };

  const ack = await runCli(['alerts', 'ack', alert.id, '--by', 'claire'], { env });
  expect(ack.code).toBe(0);
  expect(ack.stdout).toMatch(new RegExp(`^alert ${alert.id} \\(sla_breach, .+\\): acknowledged by claire; escalation stopped\\n$`));
  expect(await t.db.selectFrom('alerts').select(['state', 'acknowledged_by']).where('id', '=', alert.id).executeTakeFirstOrThrow()).toEqual({ state: 'acknowledged', acknowledged_by: 'claire' });
  expect(await pendingJobs(t.db, 'escalate_alert:')).toEqual([]);

  const unknown = await runCli(['alerts', 'ack', '999999'], { env });
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('alert 999999: no such alert');
  const notANumber = await runCli(['alerts', 'resolve', 'abc'], { env });
  expect(notANumber.code).toBe(1);
  expect(notANumber.stderr).toContain('alert ids are numbers; not: abc');

  const resolve = await runCli(['alerts', 'resolve', alert.id, '--by', 'sam', '--note', 'refund issued by phone'], { env });
  expect(resolve.code).toBe(0);
  expect(resolve.stdout).toContain(`alert ${alert.id} (sla_breach`);
  expect(resolve.stdout).toContain('resolved by sam; escalation stopped');
  expect(await t.db.selectFrom('alerts').select(['state', 'resolved_by', 'resolution', 'acknowledged_by']).where('id', '=', alert.id).executeTakeFirstOrThrow()).toEqual({
    state: 'resolved',
    resolved_by: 'sam',
    resolution: 'refund issued by phone',
    acknowledged_by: 'claire',
  });

  const late = await runCli(['alerts', 'ack', alert.id], { env });
  expect(late.code).toBe(1);
  expect(late.stderr).toContain(`alert ${alert.id}: already resolved by sam; nothing to acknowledge`);
});
