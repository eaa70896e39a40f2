// An answer resolves the wait's SLA alerts and cancels their escalation: the lead is not paged about a customer who got a reply.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { addTweets, analyze, pendingJobs } from './helpers.ts';
import { parseFileConfig } from '../../src/config.ts';
import { syncConfig } from '../../src/db/config.repository.ts';
import { checkDeadline } from '../../workers/check-deadline.ts';
import { escalateJobKey } from '../../src/alerts/job-keys.ts';
import { slaDb } from '../../src/db/sla.schema.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await syncConfig(
    t.db,
    parseFileConfig(
      {
        policies: [{ name: 'fast', clock: 'wall', firstResponseMinutes: 60, warnRatios: [] }],
        teams: [{ name: 'care', calendar: 'always', policy: 'fast' }],
        handles: [{ handle: 'EscalateHelp', team: 'care' }],
        channels: [
          { name: 'team', type: 'console' },
          { name: 'lead', type: 'console' },
        ],
        routes: [{ name: 'care', match: { teams: ['care'] }, channels: ['team'], escalate: { afterMinutes: 30, channels: ['lead'] } }],
      },
      {},
    ),
  );
});
afterAll(async () => {
  await t?.destroy();
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
