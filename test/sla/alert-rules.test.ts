// Alert rules on hand-built cases: deflection chain, callback offer, escalation, churn, silence, surge and its forecast.
import { describe, expect, it } from 'vitest';
import { caseAlerts, forecastBreaches, silenceAlert, surgeAlert, type CaseTweet, type CaseView } from '../../src/domain/alert-rules.ts';
import { DEFLECTING_KINDS } from '../../src/domain/types.ts';

const deflecting = new Set<string>(DEFLECTING_KINDS);
const t0 = Date.parse('2026-03-02T10:00:00Z');
const c = (min: number, flags: string[], id = `c${min}`): CaseTweet => ({ tweetId: id, role: 'customer', at: new Date(t0 + min * 60_000), flags, reasons: flags.map((f) => `rule:${f}`) });
const b = (min: number, kind: string, id = `b${min}`): CaseTweet => ({ tweetId: id, role: 'brand', at: new Date(t0 + min * 60_000), kind, flags: [], reasons: [`rule:${kind}`] });
const view = (tweets: CaseTweet[]): CaseView => ({ caseId: '9', customerId: '77', customerLabel: '@anna', handle: 'AcmeHelp', tweets });

describe('caseAlerts', () => {
  it('raises deflected for "please use our chat", then a critical one after "*thud*"', () => {
    const first = caseAlerts(view([c(0, ['complaint']), b(5, 'channel_redirect')]), deflecting);
    expect(first.map((a) => [a.kind, a.severity, a.dedupKey])).toEqual([['deflected', 'warning', 'deflected:9']]);
    expect(first[0].reasons[0]).toBe('complaint answered only with channel_redirect');
    const chain = caseAlerts(view([c(0, ['complaint']), b(5, 'channel_redirect'), c(30, ['nudge'])]), deflecting);
    expect(chain.map((a) => [a.severity, a.dedupKey, a.tweetId])).toEqual([
      ['warning', 'deflected:9', 'b5'],
      ['critical', 'deflected:9:unhappy', 'c30'],
    ]);
  });

  it('does not call a callback offer, a real answer or a non-complaint a deflection', () => {
    expect(caseAlerts(view([c(0, ['complaint']), b(5, 'callback_offer')]), deflecting)).toEqual([]);
    expect(caseAlerts(view([c(0, ['complaint']), b(5, 'channel_redirect'), b(6, 'resolution')]), deflecting)).toEqual([]);
    expect(caseAlerts(view([c(0, ['question']), b(5, 'channel_redirect')]), deflecting)).toEqual([]);
    // dm_request deflects only when the policy says so.
    expect(caseAlerts(view([c(0, ['complaint']), b(5, 'dm_request')]), deflecting)).toEqual([]);
    expect(caseAlerts(view([c(0, ['complaint']), b(5, 'dm_request')]), new Set([...deflecting, 'dm_request']))).toHaveLength(1);
  });

  it('raises escalation and churn risk once per case, churn critical while unanswered', () => {
    const a = caseAlerts(view([c(0, ['complaint', 'escalation']), c(3, ['churn_threat'])]), deflecting);
    expect(a.map((x) => [x.kind, x.severity, x.dedupKey, x.tweetId])).toEqual([
      ['escalation', 'critical', 'escalation:9', 'c0'],
      ['churn_risk', 'critical', 'churn_risk:9', 'c3'],
    ]);
    const answered = caseAlerts(view([c(3, ['churn_threat']), b(4, 'resolution')]), deflecting);
    expect(answered[0].severity).toBe('warning');
  });
});

describe('silenceAlert', () => {
  const base = { handleId: 3, handle: 'AcmeHelp', now: new Date(t0), open: true, lastBrandAt: new Date(t0 - 3_600_000), silentBusinessSeconds: 3600, waitingCases: 4, silentAfterMinutes: 45 };
  it('fires during hours with cases waiting and a long silence, keyed by the silence', () => {
    expect(silenceAlert(base)).toMatchObject({ kind: 'handle_silent', dedupKey: 'handle_silent:3:2026-03-02T09:00:00.000Z', severity: 'warning' });
  });
  it('stays quiet when closed, nobody waits, or the silence is short', () => {
    expect(silenceAlert({ ...base, open: false })).toBeUndefined();
    expect(silenceAlert({ ...base, waitingCases: 0 })).toBeUndefined();
    expect(silenceAlert({ ...base, silentBusinessSeconds: 44 * 60 })).toBeUndefined();
  });
});

describe('surge', () => {
  it('forecasts breaches at the current reply rate', () => {
    const now = new Date(t0);
    const due = [10, 20, 30, 40, 50, 70].map((m) => new Date(t0 + m * 60_000));
    // 6 replies an hour = one every 10 minutes: the case due in 10 min is answered at 10 (in time), 20 at 20, ...; the one due in 70 is outside the hour.
    expect(forecastBreaches(due, now, 6)).toBe(0);
    expect(forecastBreaches(due, now, 3)).toBe(5);
    // 3 an hour: answers at 20, 40, 60 minutes; the cases due at 35 and 50 miss.
    expect(forecastBreaches([30, 35, 50].map((m) => new Date(t0 + m * 60_000)), now, 3)).toBe(2);
    expect(forecastBreaches(due, now, 0)).toBe(5);
  });
  it('fires on many times the usual mentions, not on a quiet handle', () => {
    const s = { handleId: 3, handle: 'AcmeHelp', now: new Date(t0), windowMinutes: 10, mentions: 30, baselinePerHour: 6, openCases: 35, waitingDue: [], repliesLastHour: 6 };
    const a = surgeAlert(s)!;
    expect(a).toMatchObject({ kind: 'surge', severity: 'critical', dedupKey: 'surge:3:2026-03-02T10:00:00.000Z' });
    expect(a.reasons[2]).toMatch(/0 cases will breach in the next hour/);
    expect(surgeAlert({ ...s, mentions: 3 })).toBeUndefined();
    expect(surgeAlert({ ...s, baselinePerHour: 120 })).toBeUndefined();
  });
});
