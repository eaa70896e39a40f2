// /v1/stats/latency on the business and the wall clock, and the graded /v1/handles/{handle}/scorecard, on a handle that
// keeps office hours in New York: a case that waited overnight is slow on the wall clock and quick on the business one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessSeconds } from '../../src/domain/calendar.ts';
import { gradeCard, GRADE_FORMULA } from '../../src/domain/grade.ts';
import type { Calendar } from '../../src/domain/types.ts';
import { apiHarness, seedCase, type ApiHarness } from './helpers.ts';

let h: ApiHarness;
let read: string;
let east: string;

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const OFFICE: Calendar = { name: 'nyc-office', timezone: 'America/New_York', hours: Object.fromEntries(weekdays.map((d) => [d, ['09:00-17:00']])), holidays: [] };
const z = (iso: string) => new Date(iso);

// Monday 16:30 in New York, answered Tuesday 09:15: 16h45m on the wall clock, 45 minutes of open hours.
const overnight = { opened: z('2017-10-30T20:30:00Z'), answered: z('2017-10-31T13:15:00Z') };
// Tuesday 10:00, answered 10:20: the same on both clocks.
const daytime = { opened: z('2017-10-31T14:00:00Z'), answered: z('2017-10-31T14:20:00Z') };
// Tuesday 15:00, never answered; the deadline job logged its breach at 16:00, an hour of open time later.
const unanswered = { opened: z('2017-10-31T19:00:00Z') };

async function seedAnswered(c: { opened: Date; answered: Date }, customer: string, reply: { kind: string; text: string; flags: string[] }) {
  const wall = (c.answered.getTime() - c.opened.getTime()) / 1000;
  return seedCase(h, {
    handle: 'AcmeOffice',
    customer,
    openedAt: c.opened,
    state: 'closed',
    firstResponseSeconds: wall,
    firstResponseBusinessSeconds: businessSeconds(OFFICE, c.opened, c.answered),
    tweets: [
      { role: 'customer', at: c.opened, text: '@AcmeOffice my invoice is wrong' },
      { role: 'brand', at: c.answered, text: reply.text, kind: reply.kind, flags: reply.flags },
    ],
  });
}

beforeAll(async () => {
  h = await apiHarness();
  read = await h.token('read');
  const admin = await h.token('admin');
  const created = [
    await h.post('/v1/admin/calendars', admin, OFFICE),
    await h.post('/v1/admin/policies', admin, { name: 'office-hours', firstResponseMinutes: 60, clock: 'business' }),
    await h.post('/v1/admin/teams', admin, { name: 'east', calendar: 'nyc-office' }),
    await h.post('/v1/admin/handles', admin, { handle: 'AcmeOffice', team: 'east', policy: 'office-hours' }),
  ];
  expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201]);
  const office = await h.t.db.selectFrom('handles').select(['id', 'team_id']).where('handle', '=', 'AcmeOffice').executeTakeFirstOrThrow();
  h.ids.handles.AcmeOffice = office.id;
  east = await h.token('read', 'east');

  await seedAnswered(overnight, '501', { kind: 'resolution', text: '@501 Fixed: a corrected invoice is in your inbox ^AM', flags: ['signed'] });
  await seedAnswered(daytime, '502', { kind: 'channel_redirect', text: '@502 Please call our billing line', flags: [] });
  const open = await seedCase(h, { handle: 'AcmeOffice', customer: '503', openedAt: unanswered.opened });
  await h.t.db
    .insertInto('breaches')
    .values({ case_id: open, handle_id: office.id, team_id: office.team_id, metric: 'first_response', policy: 'office-hours', clock: 'business', target_seconds: 3600, started_at: unanswered.opened, due_at: z('2017-10-31T20:00:00Z') })
    .execute();
});
afterAll(() => h.close());

describe('GET /v1/stats/latency?clock=', () => {
  const url = (qs: string) => `/v1/stats/latency?handle=AcmeOffice&bucket=day&from=2017-10-30&to=2017-11-01${qs}`;

  it('stores a case that waited across closed hours as 45 business minutes against 16h45m on the wall', async () => {
    const rows = await h.t.db.selectFrom('cases').select(['customer_id', 'first_response_seconds', 'first_response_business_seconds']).where('handle_id', '=', h.ids.handles.AcmeOffice!).orderBy('customer_id').execute();
    expect(rows).toEqual([
      { customer_id: '501', first_response_seconds: 60_300, first_response_business_seconds: 2700 },
      { customer_id: '502', first_response_seconds: 1200, first_response_business_seconds: 1200 },
      { customer_id: '503', first_response_seconds: null, first_response_business_seconds: null },
    ]);
  });

  it('reports business seconds by default for a business-clock policy, with the target line', async () => {
    const res = await h.get(url(''), read);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ handle: 'AcmeOffice', clock: 'business', policy_clock: 'business', target_seconds: 3600 });
    expect(body.data).toEqual([
      { start: '2017-10-30T00:00:00.000Z', cases: 1, answered: 1, median_seconds: 2700, p90_seconds: 2700, target_seconds: 3600, within_target_share: 1 },
      { start: '2017-10-31T00:00:00.000Z', cases: 2, answered: 1, median_seconds: 1200, p90_seconds: 1200, target_seconds: 3600, within_target_share: 1 },
    ]);
    expect(body.summary).toEqual({ cases: 3, answered: 2, median_seconds: 1950, p90_seconds: 2550, target_seconds: 3600, within_target_share: 1 });
    expect(await (await h.get(url('&clock=business'), read)).json()).toEqual(body);
  });

  it('reports wall seconds for clock=wall: the overnight wait is the one that missed the target', async () => {
    const body = await (await h.get(url('&clock=wall'), read)).json();
    expect(body).toMatchObject({ clock: 'wall', policy_clock: 'business', target_seconds: 3600 });
    expect(body.data).toEqual([
      { start: '2017-10-30T00:00:00.000Z', cases: 1, answered: 1, median_seconds: 60_300, p90_seconds: 60_300, target_seconds: 3600, within_target_share: 0 },
      { start: '2017-10-31T00:00:00.000Z', cases: 2, answered: 1, median_seconds: 1200, p90_seconds: 1200, target_seconds: 3600, within_target_share: 1 },
    ]);
    expect(body.summary).toEqual({ cases: 3, answered: 2, median_seconds: 30_750, p90_seconds: 54_390, target_seconds: 3600, within_target_share: 0.5 });
  });

  it('defaults to wall when the handles in scope are on different clocks, and to their shared clock otherwise', async () => {
    const all = await (await h.get('/v1/stats/latency?bucket=day&from=2017-10-30&to=2017-11-01', read)).json();
    expect(all).toMatchObject({ handle: null, clock: 'wall', policy_clock: null, target_seconds: null });
    expect(all.summary.median_seconds).toBe(30_750);
    const team = await (await h.get('/v1/stats/latency?bucket=day&from=2017-10-30&to=2017-11-01', east)).json();
    expect(team).toMatchObject({ clock: 'business', policy_clock: 'business', target_seconds: 3600 });
    expect(team.summary.median_seconds).toBe(1950);
  });

  it('refuses an unknown clock with a 400 naming the field', async () => {
    const res = await h.get(url('&clock=sundial'), read);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.message).toContain('query parameter "clock"');
    expect(body.error.details[0]).toMatchObject({ in: 'query', path: ['clock'] });
  });

  it('documents the parameter and the response fields in the OpenAPI document', async () => {
    const doc = await (await h.get('/openapi.json')).json();
    const param = doc.paths['/v1/stats/latency'].get.parameters.find((p: { name: string }) => p.name === 'clock');
    expect(param).toMatchObject({ in: 'query', required: false, schema: { type: 'string', enum: ['business', 'wall'] } });
    expect(param.description).toContain('wall');
    expect(Object.keys(doc.components.schemas.LatencyStats.properties)).toEqual(expect.arrayContaining(['clock', 'policy_clock', 'target_seconds', 'summary', 'data']));
  });
});

describe('GET /v1/handles/{handle}/scorecard grade', () => {
  it('grades the handle from the three criteria and says why', async () => {
    const card = await (await h.get('/v1/handles/AcmeOffice/scorecard?from=2017-10-30&to=2017-11-01', read)).json();
    // Due: both answered cases and the unanswered one with a logged breach; within an hour of open time: both answered.
    expect(card.speed).toMatchObject({ clock: 'business', target_seconds: 3600, answered: 2, due: 3, due_within_target: 2, median_first_response_seconds: 1950 });
    expect(card.clarity).toMatchObject({ replies: 2, reply_rate: 2 / 3, resolved_case_rate: 1 / 3, deflection_rate: 0.5 });
    expect(card.personality).toMatchObject({ signed_share: 0.5, uses_name_share: 0, empathy_share: 0, canned_share: 0 });
    const expected = gradeCard({ cases: 3, dueCases: 3, dueWithinTarget: 2, targetSeconds: 3600, clock: 'business', replyRate: 2 / 3, deflectionRate: 0.5, resolutionRate: 1 / 3, replies: 2, signed: 0.5, usesName: 0, empathy: 0, canned: 0 });
    expect(card.score).toEqual(expected.score);
    // speed 66.7; clarity 100*(0.35*2/3 + 0.35*0.5 + 0.3/3) = 50.8; personality 100*(0.15 + 0.2) = 35; overall 26.67 + 20.33 + 7 = 54.
    expect(card.score).toEqual({ speed: 66.7, clarity: 50.8, personality: 35, overall: 54 });
    expect(card.grade).toBe('C');
    expect(card.grade_reasons).toEqual(expected.reasons);
    expect(card.grade_reasons[0]).toContain('2 of 3 cases due were answered within 1h on the business clock');
    expect(card.grade_reasons[3]).toContain('→ C (C from 50; 11 points short of B)');
    expect(card.grade_formula).toBe(GRADE_FORMULA);
  });

  it('gives no grade without cases, and says so', async () => {
    const card = await (await h.get('/v1/handles/AcmeOffice/scorecard?from=2017-09-01&to=2017-09-08', read)).json();
    expect(card).toMatchObject({ cases: 0, score: null, grade: null, grade_reasons: ['no cases opened in the period, so there is nothing to grade'] });
  });

  it('documents the grade in the OpenAPI document', async () => {
    const doc = await (await h.get('/openapi.json')).json();
    const schema = doc.components.schemas.Scorecard;
    expect(schema.required).toEqual(expect.arrayContaining(['score', 'grade', 'grade_reasons', 'grade_formula']));
    expect(schema.properties.grade.enum).toEqual(['A', 'B', 'C', 'D', 'F', null]);
  });
});
