import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/cli/analyze.ts';
import { renderReport } from '../../src/cli/report.ts';
import type { CaseRecord } from '../../src/domain/case-summary.ts';
import type { Scorecard } from '../../src/domain/scorecard.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLE = path.resolve(ROOT, '../shared/data/twcs-sample.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analyze-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, maxBuffer: 64 << 20 });
}

describe('replywatch analyze on the real sample', () => {
  let cases: CaseRecord[];
  let scorecard: Scorecard;
  let stderr: string;

  beforeAll(async () => {
    const out = path.join(dir, 'out');
    ({ stderr } = await cli('analyze', SAMPLE, '--out', out, '--workers', '2'));
    cases = fs.readFileSync(path.join(out, 'cases.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CaseRecord);
    scorecard = JSON.parse(fs.readFileSync(path.join(out, 'scorecard.json'), 'utf8')) as Scorecard;
  }, 120_000);

  it('prints a summary with rows, malformed, cases and speed', () => {
    expect(stderr).toMatch(/analyzed 17,459 rows \(0 malformed, skipped\) into [\d,]+ cases across 96 handles in [\d.]+s \([\d,]+ rows\/s\)/);
  });

  it('writes one case a line with the contract fields', () => {
    expect(cases.length).toBeGreaterThan(5000);
    const fields = ['case_id', 'handle', 'customer_id', 'opened_at', 'first_response_seconds', 'first_response_business_seconds', 'next_response_seconds', 'replies', 'flags'];
    for (const c of cases) for (const f of fields) expect(c).toHaveProperty(f);
    expect(new Set(cases.map((c) => c.case_id)).size).toBe(cases.length);
    const withReply = cases.find((c) => c.replies.length > 0)!;
    expect(Object.keys(withReply.replies[0]!)).toEqual(expect.arrayContaining(['tweet_id', 'kind', 'reasons']));
    const flags = new Set(cases.flatMap((c) => c.flags));
    for (const f of ['unanswered', 'deflected', 'sla_breach', 'churn_threat']) expect(flags).toContain(f);
    // The wall clock is the default, so business seconds equal wall seconds.
    expect(cases.every((c) => c.first_response_seconds === c.first_response_business_seconds)).toBe(true);
  });

  it('gives the same cases and scorecard in worker threads (the CLI default here) as in one thread', async () => {
    const single = path.join(dir, 'single');
    await analyzeFile(SAMPLE, { out: single, workers: 0 });
    const lines = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').sort();
    expect(lines(path.join(single, 'cases.jsonl'))).toEqual(lines(path.join(dir, 'out', 'cases.jsonl')));
    const a = JSON.parse(fs.readFileSync(path.join(single, 'scorecard.json'), 'utf8')) as Scorecard;
    expect(a).toEqual(scorecard);
  }, 60_000);

  it('gives the same cases for the file in reverse order (the batch path sorts by created_at, id)', async () => {
    const parsed = Papa.parse<string[]>(fs.readFileSync(SAMPLE, 'utf8'), { skipEmptyLines: true }).data;
    const reversed = path.join(dir, 'reversed.csv');
    fs.writeFileSync(reversed, Papa.unparse([parsed[0]!, ...parsed.slice(1).reverse()], { newline: '\r\n' }));
    const rev = path.join(dir, 'rev');
    await analyzeFile(reversed, { out: rev, workers: 0 });
    const lines = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').sort();
    expect(lines(path.join(rev, 'cases.jsonl'))).toEqual(lines(path.join(dir, 'out', 'cases.jsonl')));
  }, 60_000);

  it('finds AmazonHelp first-response times close to the data README (median 10.2 min, p90 35.6 min)', () => {
    // Our definition: per case (customer x handle), from the customer tweet that opened it to the first brand reply
    // that is not automated. The README counts per conversation opener, so a second opener inside an open case
    // is measured there but not here; the figures differ by that alone.
    const amazon = scorecard.handles.AmazonHelp!;
    expect(amazon.volumes.cases).toBeGreaterThan(550);
    expect(amazon.speed.first_response_seconds.median! / 60).toBeGreaterThan(8.5);
    expect(amazon.speed.first_response_seconds.median! / 60).toBeLessThan(11.5);
    expect(amazon.speed.first_response_seconds.p90! / 60).toBeGreaterThan(25);
    expect(amazon.speed.first_response_seconds.p90! / 60).toBeLessThan(40);
    const chipotle = scorecard.handles.ChipotleTweets!.speed.first_response_seconds;
    expect(chipotle.median! / 60).toBeCloseTo(9.2, 0);
    expect(chipotle.p90! / 60).toBeCloseTo(13.6, 0);
    expect(scorecard.ranking.length).toBeGreaterThan(20);
    expect(renderReport(scorecard, { top: 5 })).toMatch(/AmazonHelp\s+\d+\s+\d+%/);
  });
});

describe('analyze options and errors', () => {
  it('measures business seconds on a configured calendar, never more than wall seconds', async () => {
    const config = path.join(dir, 'config.yaml');
    const ics = path.join(dir, 'holidays.ics');
    fs.writeFileSync(ics, 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20171123\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
    fs.writeFileSync(
      config,
      [
        'calendars:',
        '  - name: us-office',
        '    timezone: America/New_York',
        '    hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"] }',
        '    icalFile: holidays.ics',
        'policies:',
        '  - name: business',
        '    clock: business',
        'teams:',
        '  - name: amazon',
        '    calendar: us-office',
        'handles:',
        '  - handle: AmazonHelp',
        '    team: amazon',
        '    policy: business',
      ].join('\n'),
    );
    const { scorecard, summary } = await analyzeFile(SAMPLE, { config, targetMinutes: 30 });
    expect(summary).toMatchObject({ rows: 17_459, malformed: 0 });
    const amazon = scorecard.handles.AmazonHelp!;
    expect(amazon.speed.clock).toBe('business');
    expect(amazon.speed.target_seconds).toBe(1800);
    expect(amazon.speed.first_response_business_seconds.median!).toBeLessThan(amazon.speed.first_response_seconds.median!);
    expect(amazon.speed.after_hours.cases).toBeGreaterThan(0);
    expect(scorecard.handles.AppleSupport!.speed.clock).toBe('wall');
  }, 60_000);

  it('lets a policy turn the deflection model off: that handle\'s deflection rate comes from the rules alone', async () => {
    const config = path.join(dir, 'no-model.yaml');
    fs.writeFileSync(config, ['policies:', '  - name: rules-only', '    deflectionModel: false', 'teams:', '  - name: care', 'handles:', '  - handle: airtel_care', '    team: care', '    policy: rules-only'].join('\n'));
    const [withModel, rulesOnly] = await Promise.all([analyzeFile(SAMPLE), analyzeFile(SAMPLE, { config })]);
    const rate = (s: Scorecard, h: string) => s.handles[h]!.clarity.deflection_rate!;
    // The model turns some of airtel_care's answer-like replies into redirects on this sample; without it they stay answers.
    expect(rate(rulesOnly.scorecard, 'airtel_care')).toBeLessThan(rate(withModel.scorecard, 'airtel_care'));
    // Other handles keep the default policy and the model.
    expect(rate(rulesOnly.scorecard, 'AmazonHelp')).toBe(rate(withModel.scorecard, 'AmazonHelp'));
  }, 60_000);

  it('fails with a clear message for a file without the TWCS columns', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'id,user,message\n1,2,hi\n');
    const err = await cli('analyze', bad, '--out', path.join(dir, 'bad-out')).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/lacks column\(s\) tweet_id, author_id, inbound, created_at, text/);
  }, 60_000);
});
