// Drives the real dashboard in headless Chromium against the real service: sign in, live alerts, ack, case page, latency clocks,
// the graded review, phone layout.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createToken } from '../../src/db/token.repository.ts';
import { businessSeconds } from '../../src/domain/calendar.ts';
import type { Calendar } from '../../src/domain/types.ts';
import { hasChromium, sessionToken, shotsDir as shots, signIn as signInAt, startHarness, type Harness } from './harness.ts';
import { raiseAlert, seed, type Seeded } from './seed.ts';

// SpotifyCares keeps office hours and is judged on business time; the others are open around the clock.
const OFFICE: Calendar = { name: 'office', timezone: 'UTC', hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['08:00-20:00']])), holidays: [] };
const CONFIG_YAML = `
calendars:
  - ${JSON.stringify(OFFICE)}
policies:
  - { name: office-hours, clock: business }
teams:
  - name: retail-care
    calendar: always
  - name: devices-care
    calendar: always
  - name: music-care
    calendar: office
handles:
  - { handle: AmazonHelp, team: retail-care }
  - { handle: AppleSupport, team: devices-care }
  - { handle: SpotifyCares, team: music-care, policy: office-hours }
`;

/** Stores each answered SpotifyCares case's business seconds on the office calendar, as the analyzer would have. */
async function storeBusinessSeconds(db: Harness['service']['deps']['db'], handleId: number) {
  const rows = await db.selectFrom('cases').select(['id', 'opened_at', 'first_brand_at']).where('handle_id', '=', handleId).where('first_brand_at', 'is not', null).execute();
  for (const r of rows) await db.updateTable('cases').set({ first_response_business_seconds: businessSeconds(OFFICE, r.opened_at, r.first_brand_at!) }).where('id', '=', r.id).execute();
}

describe.skipIf(!hasChromium)('dashboard in a real browser', () => {
  let h: Harness;
  let service: Harness['service'];
  let browser: Harness['browser'];
  let base: string;
  let token: string;
  let seeded: Seeded;

  beforeAll(async () => {
    // The API only: no analyzer, so the seeded rows stay exactly as written.
    h = await startHarness({ roles: ['api'], configYaml: CONFIG_YAML });
    ({ service, browser, base } = h);
    seeded = await seed(service.deps.db);
    await storeBusinessSeconds(service.deps.db, seeded.handles.SpotifyCares!);
    token = (await createToken(service.deps.db, { name: 'e2e-lead', scope: 'write' })).token;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const signIn = (page: Page, value = token) => signInAt(page, base, value);

  it('serves the built page, its assets with their content types, and keeps API 404s as JSON', async () => {
    const html = await fetch(base + '/');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await html.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(text)?.[1];
    expect(script).toBeTruthy();
    const js = await fetch(base + script);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');

    const deep = await fetch(base + '/some/page');
    expect(deep.headers.get('content-type')).toMatch(/^text\/html/);
    const api404 = await fetch(base + '/v1/no-such-thing', { headers: { authorization: `Bearer ${token}` } });
    expect(api404.status).toBe(404);
    expect(api404.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(base + '/assets/missing.js')).status).toBe(404);
  });

  it('refuses a wrong token and says how to create one', async () => {
    const page = await browser.newPage();
    await signIn(page, 'rw_not-a-real-token');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('replywatch token create --scope read');
    expect(await sessionToken(page)).toBeNull();
    await page.close();
  });

  it('signs in, shows live alerts, picks up a new one, acks it and opens its case', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(page);

    // Seeded alerts and waiting cases appear, soonest breach first.
    const first = page.locator(`[data-alert-id="${seeded.alertIds[0]}"]`);
    await first.waitFor();
    expect(await first.textContent()).toContain('has waited 74m');
    const waitingRows = page.locator('#waiting tbody tr');
    await waitingRows.first().waitFor();
    expect(await waitingRows.count()).toBe(4);
    expect(await waitingRows.first().textContent()).toContain('823869');
    expect(await waitingRows.first().locator('.countdown').textContent()).toMatch(/^over by/);
    expect(await sessionToken(page)).toBe(token);

    // An alert raised while the page is open shows up without a reload.
    const liveId = await raiseAlert(service.deps.db, seeded.handles.AppleSupport!, seeded.caseIds.waiting[2]!, '@AppleSupport: customer 116351 missed the first-response target');
    const live = page.locator(`[data-alert-id="${liveId}"]`);
    await live.waitFor({ timeout: 15_000 });
    // …and is marked as new so it catches the eye.
    await page.locator(`[data-alert-id="${liveId}"].fresh`).waitFor();

    await page.locator('#latency .chart canvas').first().waitFor();
    await page.locator('#heatmap td.hit').first().waitFor();
    await page.screenshot({ path: path.join(shots, 'seeded-dashboard.png'), fullPage: true });

    // Ack it from the page: the server records who, and the row shows the new state.
    await live.getByRole('button', { name: /^Acknowledge/ }).click();
    await live.locator('.badge.state', { hasText: 'acknowledged' }).waitFor();
    const row = await service.deps.db.selectFrom('alerts').select(['state', 'acknowledged_by']).where('id', '=', liveId).executeTakeFirstOrThrow();
    expect(row.state).toBe('acknowledged');
    expect(row.acknowledged_by).toContain('e2e-lead');

    // Its case link opens the case page with the conversation.
    await live.getByRole('link', { name: /^case / }).click();
    await page.waitForURL(`**/#/cases/${seeded.caseIds.waiting[2]}`);
    await page.locator('.timeline .tweet').first().waitFor();
    expect(await page.locator('.timeline').textContent()).toContain('Cannot adjust alarm volume');
    await page.close();
  });

  it('shows a case timeline with each reply’s kind and reasons', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    await page.locator('#alerts .alert').first().waitFor();
    await page.goto(`${base}/#/cases/${seeded.caseIds.apple}`);
    const tweets = page.locator('.timeline .tweet');
    await tweets.first().waitFor();
    expect(await tweets.count()).toBe(4);
    const last = tweets.nth(3);
    expect(await last.getAttribute('data-kind')).toBe('dm_request');
    expect(await last.locator('.badge.kind').textContent()).toBe('dm request');
    expect(await last.locator('.reasons').textContent()).toContain('let us know in dm');
    await page.screenshot({ path: path.join(shots, 'seeded-case.png'), fullPage: true });
    await page.close();
  });

  it('switches the latency chart between business hours and the wall clock, by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(page);
    const panel = page.locator('#latency');
    const summary = panel.locator('.latency-summary');
    const business = panel.getByRole('button', { name: /^Business hours/ });
    const wall = panel.getByRole('button', { name: /^Wall clock/ });

    // AmazonHelp's default policy is on the wall clock, so the chart opens on it.
    await panel.locator('.latency-summary[data-clock="wall"]').waitFor();
    expect(await wall.getAttribute('aria-pressed')).toBe('true');

    // SpotifyCares is judged on business hours: the chart opens on that clock.
    await panel.getByLabel('Handle for the latency chart').selectOption('SpotifyCares');
    await panel.locator('.latency-summary[data-clock="business"]').waitFor();
    await panel.locator('.chart canvas').first().waitFor();
    expect(await business.getAttribute('aria-pressed')).toBe('true');
    expect(await wall.getAttribute('aria-pressed')).toBe('false');
    expect(await business.textContent()).toContain('(the policy’s clock)');
    const businessText = (await summary.textContent())!;
    expect(businessText).toMatch(/^Business hours over the period: median/);
    expect(await panel.locator('.chart').getAttribute('aria-label')).toContain('counting business hours only');
    await panel.screenshot({ path: path.join(shots, 'seeded-latency-business.png') });

    // Keyboard: Tab from the period picker reaches the toggle; Space presses the wall clock.
    await panel.getByLabel('Period').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null | undefined>('document.activeElement?.textContent')).toBe('Wall clock');
    await page.keyboard.press('Space');
    await panel.locator('.latency-summary[data-clock="wall"]').waitFor();
    expect(await wall.getAttribute('aria-pressed')).toBe('true');
    expect(await business.getAttribute('aria-pressed')).toBe('false');
    const wallText = (await summary.textContent())!;
    expect(wallText).toMatch(/^Wall clock over the period: median/);
    // Waits that ran across closed hours count in full on the wall clock: the figures differ.
    const figures = (text: string) => /median (.+?), p90 (.+?)[,.(]/.exec(text)?.slice(1);
    expect(figures(businessText)).toHaveLength(2);
    expect(figures(wallText)).not.toEqual(figures(businessText));
    expect(wallText).toContain('so this view is for comparison');
    expect(await panel.locator('.chart').getAttribute('aria-label')).toContain('on the wall clock');
    await panel.screenshot({ path: path.join(shots, 'seeded-latency-wall.png') });
    await page.close();
  });

  it('shows each handle’s grade with the reasons behind it', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page);
    await page.getByRole('link', { name: 'Review' }).click();
    const rows = page.locator('#review tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(3);
    expect(await page.locator('#review thead th').allTextContents()).toContain('Grade');
    const grades = await page.locator('#review .grade').allTextContents();
    expect(grades).toHaveLength(3);
    expect(grades.every((g) => /^[ABCDF]$/.test(g))).toBe(true);
    const first = rows.first();
    expect(await first.locator('.grade').getAttribute('title')).toMatch(/^speed .*\noverall .* → [ABCDF] /s);
    // "Why?" opens by keyboard and lists one line per criterion, then the sum.
    const why = first.locator('.grade-reasons summary');
    await why.focus();
    await page.keyboard.press('Enter');
    const reasons = await first.locator('.grade-reasons li').allTextContents();
    expect(reasons).toHaveLength(4);
    expect(reasons[0]).toMatch(/^speed [\d.]+\/100 \(40% of the grade\)/);
    expect(reasons[1]).toMatch(/^clarity & efficiency /);
    expect(reasons[2]).toMatch(/^personality /);
    expect(reasons[3]).toMatch(new RegExp(`^overall [\\d.]+ = 0\\.4 × .* → ${grades[0]} `));
    await page.screenshot({ path: path.join(shots, 'seeded-review.png'), fullPage: true });
    await page.close();
  });

  it('tells a read-only user how to get a token that may ack', async () => {
    const readToken = (await createToken(service.deps.db, { name: 'e2e-viewer', scope: 'read' })).token;
    const page = await browser.newPage();
    await signIn(page, readToken);
    const alert = page.locator(`[data-alert-id="${seeded.alertIds[1]}"]`);
    await alert.getByRole('button', { name: /^Acknowledge/ }).click();
    const message = page.locator('#alerts [role="alert"]');
    await message.waitFor();
    expect(await message.textContent()).toContain('replywatch token create --scope write');
    const row = await service.deps.db.selectFrom('alerts').select('state').where('id', '=', seeded.alertIds[1]!).executeTakeFirstOrThrow();
    expect(row.state).toBe('open');
    await page.close();
  });

  it('works on a phone-sized screen and by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await signIn(page);
    await page.locator('#alerts .alert').first().waitFor();
    await page.locator('#waiting tbody tr').first().waitFor();
    await page.screenshot({ path: path.join(shots, 'seeded-phone.png'), fullPage: true });
    // Nothing wider than the screen: no sideways scrolling on a phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // Keyboard: Tab reaches the navigation and Enter follows it.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null | undefined>('document.activeElement?.textContent')).toBe('replywatch');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null | undefined>('document.activeElement?.textContent')).toBe('Review');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/#/review');
    await page.close();
  });
});
