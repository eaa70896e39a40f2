// Runs the real pipeline on the bundled TWCS demo (replay -> analyzer -> API) and checks the dashboard on what it produced;
// these screenshots are the ones in the README.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BUNDLED_REPLAY_FILE } from '../../src/config.ts';
import { createToken } from '../../src/db/token.repository.ts';
import { queueDepth } from '../../src/db/jobs.ts';
import { replayFile } from '../../src/ingest/replay.ts';
import { ANALYZE_TASK } from '../../src/db/ingest.repository.ts';
import { hasChromium, shotsDir, signIn, startHarness, type Harness } from './harness.ts';

const CONFIG_YAML = `
teams:
  - { name: food-care, calendar: always }
  - { name: retail-care, calendar: always }
  - { name: devices-care, calendar: always }
  - { name: mobility-care, calendar: always }
  - { name: media-care, calendar: always }
handles:
  - { handle: ChipotleTweets, team: food-care }
  - { handle: AmazonHelp, team: retail-care }
  - { handle: UPSHelp, team: retail-care }
  - { handle: AppleSupport, team: devices-care }
  - { handle: TMobileHelp, team: devices-care }
  - { handle: Uber_Support, team: mobility-care }
  - { handle: SpotifyCares, team: media-care }
  - { handle: Ask_Spectrum, team: media-care }
`;

/** The demo's tweets up to `cutMinutes` before its last one, so the conversations still open at the cut are waiting now. */
function cutDemo(cutMinutes: number): { file: string; spanMs: number } {
  const text = fs.readFileSync(BUNDLED_REPLAY_FILE, 'utf8');
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  const ms = (r: Record<string, string>) => Date.parse(r.created_at!);
  const first = ms(parsed.data[0]!);
  const cut = ms(parsed.data.at(-1)!) - cutMinutes * 60_000;
  const kept = parsed.data.filter((r) => ms(r) <= cut);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'replywatch-demo-')), 'demo-cut.csv');
  fs.writeFileSync(file, Papa.unparse(kept, { columns: Object.keys(parsed.data[0]!) }));
  return { file, spanMs: cut - first };
}

describe.skipIf(!hasChromium)('dashboard on the replayed TWCS demo', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({ roles: ['api', 'analyzer'], configYaml: CONFIG_YAML });
    const db = h.service.deps.db;
    const { file, spanMs } = cutDemo(120);
    // Place the data so its last tweet was written a minute ago, keeping the real gaps between tweets: the clock
    // starts there and then runs infinitely fast, so nothing waits (speed 1 = the data's own pace).
    const start = Date.now() - spanMs - 60_000;
    let calls = 0;
    const clock = () => new Date(calls++ === 0 ? start : 8.64e15);
    const result = await replayFile(db, { file, speed: 1, clock, log: h.service.deps.log });
    expect(result.tweets).toBeGreaterThan(1000);

    // The analyzer works through the queued tweets; wait until no analyze job is left.
    for (;;) {
      const depth = await queueDepth(db);
      if (!depth.some((d) => d.task === ANALYZE_TASK && d.count > 0)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    token = (await createToken(db, { name: 'support-lead', scope: 'write' })).token;
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  const open = async (page: Page) => {
    await signIn(page, h.base, token);
    await page.locator('#alerts .alert').first().waitFor({ timeout: 20_000 });
  };

  it('shows the alerts, waiting cases and charts the analyzer produced, and acks an alert', async () => {
    const db = h.service.deps.db;
    const page = await h.browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await open(page);
    const waiting = page.locator('#waiting tbody tr');
    await waiting.first().waitFor();
    const dbWaiting = await db.selectFrom('cases').select((eb) => eb.fn.countAll<string>().as('n')).where('state', '=', 'open').where('awaiting_since', 'is not', null).executeTakeFirstOrThrow();
    expect(await waiting.count()).toBe(Math.min(50, Number(dbWaiting.n)));
    await page.locator('#latency .chart canvas').first().waitFor();
    // The demo's policy is on the wall clock, so the chart opens on it; the toggle says so.
    await page.locator('#latency .latency-summary[data-clock="wall"]').waitFor();
    expect(await page.locator('#latency').getByRole('button', { name: /^Wall clock/ }).getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: path.join(shotsDir, 'dashboard.png'), fullPage: true });

    const first = page.locator('#alerts .alert.state-open').first();
    const id = await first.getAttribute('data-alert-id');
    await first.getByRole('button', { name: /^Acknowledge/ }).click();
    await page.locator(`[data-alert-id="${id}"] .badge.state`, { hasText: 'acknowledged' }).waitFor();
    const row = await db.selectFrom('alerts').select('state').where('id', '=', id!).executeTakeFirstOrThrow();
    expect(row.state).toBe('acknowledged');
    await page.close();
  });

  it('opens a case from an alert and shows each reply’s kind and the reasons', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page);
    // A closed case with several replies shows the classifier at work.
    const c = await h.service.deps.db
      .selectFrom('cases')
      .select('id')
      .where('brand_replies', '>=', 2)
      .where('customer_tweets', '>=', 2)
      .orderBy('brand_replies', 'desc')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await page.goto(`${h.base}/#/cases/${c.id}`);
    await page.locator('.timeline .tweet.role-brand').first().waitFor();
    const kinds = await page.locator('.timeline .tweet.role-brand .badge.kind').allTextContents();
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.timeline .reasons li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(shotsDir, 'case.png'), fullPage: true });

    // And from an alert's own link.
    await page.goto(`${h.base}/#/`);
    const link = page.locator('#alerts .alert a[href^="#/cases/"]').first();
    const href = await link.getAttribute('href');
    await link.click();
    await page.waitForURL(`**/${href}`);
    await page.locator('.timeline .tweet').first().waitFor();
    await page.close();
  });

  it('compares every handle in the review table with a grade', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, h.base, token);
    await page.getByRole('link', { name: 'Review' }).click();
    const rows = page.locator('#review tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(8);
    const grades = await page.locator('#review .grade').allTextContents();
    expect(grades.every((g) => /^[ABCDF]$/.test(g))).toBe(true);
    // Every grade comes with its reasons; open the top handle's to show them.
    expect(await page.locator('#review .grade-reasons').count()).toBe(8);
    await rows.first().locator('.grade-reasons summary').click();
    const reasons = await rows.first().locator('.grade-reasons li').allTextContents();
    expect(reasons.map((r) => r.split(' ')[0])).toEqual(['speed', 'clarity', 'personality', 'overall']);
    expect(reasons[3]).toContain(`→ ${grades[0]} `);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotsDir, 'review.png'), fullPage: true });
    await page.close();
  });

  it('fits a phone screen', async () => {
    const page = await h.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await open(page);
    await page.locator('#waiting tbody tr').first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(shotsDir, 'dashboard-phone.png') });

    // The review table turns into one card per handle, and a case reads as a conversation.
    await page.goto(`${h.base}/#/review`);
    await page.locator('#review tbody tr').first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(shotsDir, 'review-phone.png') });
    // A waiting case with an alert on it shows the countdown, the alerts and the missed targets.
    const waitingCase = await h.service.deps.db
      .selectFrom('cases')
      .innerJoin('alerts', 'alerts.case_id', 'cases.id')
      .select('cases.id')
      .where('cases.state', '=', 'open')
      .where('cases.awaiting_since', 'is not', null)
      .orderBy('cases.id')
      .executeTakeFirstOrThrow();
    await page.goto(`${h.base}/#/cases/${waitingCase.id}`);
    await page.locator('.timeline .tweet').first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(shotsDir, 'case-phone.png') });
    await page.close();
  });
});
