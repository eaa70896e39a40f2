import { describe, expect, it } from 'vitest';
import type { HandleSetup } from '../../src/domain/analysis.ts';
import { compileCalendar } from '../../src/domain/calendar.ts';
import { caseFlags, caseRecord } from '../../src/domain/case-summary.ts';
import type { CaseReply, CaseState } from '../../src/domain/cases.ts';
import { POLICY_DEFAULTS } from '../../src/domain/policy.ts';
import { gradeCard } from '../../src/domain/grade.ts';
import { gradeOf, periodKey, quantile, ScorecardBuilder } from '../../src/domain/scorecard.ts';
import type { ReplyKind } from '../../src/domain/types.ts';

const T0 = Date.parse('2017-10-30T09:00:00Z');
const setup: HandleSetup = {
  handle: 'AcmeHelp',
  policy: { ...POLICY_DEFAULTS, name: 'default', clock: 'wall' },
  calendar: compileCalendar({ name: 'office', timezone: 'UTC', hours: { mon: ['08:00-18:00'] }, holidays: [] }),
};

function reply(kind: ReplyKind, personality: CaseReply['personality'] = [], deflected = false): CaseReply {
  return { tweetId: 'r', at: T0, kind, reasons: [], personality, automated: false, deflected, answered: true };
}

function kase(over: Partial<CaseState>): CaseState {
  return {
    v: 1, caseId: 'c', handle: 'AcmeHelp', customerId: '1', openingTweetId: '1', openedAt: T0, openedInHours: true, state: 'closed', closedAt: T0, closeReason: 'quiet',
    lastActivityAt: T0, lastCustomerAt: T0, lastBrandAt: null, awaitingSince: null, waitSeq: 0, unansweredCount: 0,
    firstResponseSeconds: null, firstResponseBusinessSeconds: null, nextResponseSeconds: [], nextResponseBusinessSeconds: [],
    customerTweets: 1, brandReplies: 0, automatedReplies: 0, nudges: 0, lateTweets: 0, customerFlags: [], complaintScore: 0, customerTweetIds: ['1'], replies: [],
    ...over,
  };
}

describe('quantile', () => {
  it('interpolates linearly like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
    expect(quantile([15, 20, 35, 40, 50], 0.9)).toBeCloseTo(46, 10);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('ScorecardBuilder', () => {
  it('computes the three criteria on a hand-built set', () => {
    const b = new ScorecardBuilder({ asOf: T0 + 86_400_000, period: 'month' });
    // 1: answered in 10 min, resolution, signed + empathy.
    b.add(kase({ firstResponseSeconds: 600, firstResponseBusinessSeconds: 600, brandReplies: 1, replies: [reply('resolution', ['signed', 'empathy'])] }), setup);
    // 2: answered in 2 h (after hours), deflected to a channel, then a next response; one nudge.
    b.add(kase({ openedInHours: false, firstResponseSeconds: 7200, firstResponseBusinessSeconds: 3600, nextResponseSeconds: [300], nudges: 1, brandReplies: 2, replies: [reply('channel_redirect', ['canned'], true), reply('dm_request', ['uses_name'])] }), setup);
    // 3: answered in 30 min, closed by thanks, acknowledgement reply.
    b.add(kase({ firstResponseSeconds: 1800, firstResponseBusinessSeconds: 1800, closeReason: 'thanks', brandReplies: 1, replies: [reply('acknowledgement', ['empathy'])] }), setup);
    // 4: unanswered and still waiting far past the target: counts as a miss.
    b.add(kase({ state: 'open', closeReason: null, closedAt: null, awaitingSince: T0 }), setup);
    const s = b.build();
    const c = s.handles.AcmeHelp!;
    expect(c.volumes).toEqual({ cases: 4, answered_cases: 3, unanswered_cases: 1, customer_tweets: 4, brand_replies: 4 });
    expect(c.clarity).toMatchObject({ reply_rate: 0.75, resolution_rate: 0.5, deflection_rate: 0.25, deflected_case_rate: 0.25, replies_per_case: 1, nudges_per_case: 0.25 });
    expect(c.clarity.deflection_by_kind).toEqual({ channel_redirect: 0.25, team_redirect: 0, link_only: 0, truncated: 0 });
    expect(c.clarity.reply_kinds).toEqual({ resolution: 1, dm_request: 1, channel_redirect: 1, acknowledgement: 1 });
    expect(c.speed.first_response_seconds).toEqual({ median: 1800, p90: 6120 });
    expect(c.speed.first_response_business_seconds).toEqual({ median: 1800, p90: 3240 });
    // Due: 3 answered + 1 unanswered past target; within 1 h: cases 1 and 3.
    expect(c.speed.share_within_target).toBe(0.5);
    expect(c.speed.in_hours).toEqual({ cases: 2, median_first_response_seconds: 1200 });
    expect(c.speed.after_hours).toEqual({ cases: 1, median_first_response_seconds: 7200 });
    expect(c.personality).toEqual({ signed: 0.25, uses_name: 0.25, empathy: 0.5, canned: 0.25 });
    // speed 50; clarity 100*(0.35*0.75 + 0.35*0.75 + 0.3*0.5) = 67.5; personality 100*(0.075+0.05+0.15+0.15) = 42.5.
    expect(c.score).toEqual({ speed: 50, clarity: 67.5, personality: 42.5, overall: 55.5 });
    expect(c.grade).toBe('C');
    // The reasons name each criterion's figures and how they add up, so a lead can check the letter by hand.
    expect(c.grade_reasons).toEqual([
      'speed 50/100 (40% of the grade): 2 of 4 cases due were answered within 1h on the wall clock; an unanswered case past the target counts as missed',
      'clarity & efficiency 67.5/100 (40%): replied in 75% of 4 cases, 25% of replies deflected the customer elsewhere, 50% of cases resolved',
      "personality 42.5/100 (20%): of 4 replies 25% signed, 25% used the customer's name, 50% showed empathy, 25% canned",
      'overall 55.5 = 0.4 × 50 + 0.4 × 67.5 + 0.2 × 42.5 → C (C from 50; 9.5 points short of B)',
    ]);
    expect(c.rank).toBeNull(); // fewer than 5 cases
    expect(s.periods['2017-10']!.AcmeHelp!.volumes.cases).toBe(4);
  });

  it('ranks handles by overall score', () => {
    const b = new ScorecardBuilder({ asOf: T0 });
    for (let i = 0; i < 5; i++) {
      b.add(kase({ handle: 'Fast', firstResponseSeconds: 60, firstResponseBusinessSeconds: 60, replies: [reply('resolution')] }), { ...setup, handle: 'Fast' });
      b.add(kase({ handle: 'Slow', firstResponseSeconds: 9000, firstResponseBusinessSeconds: 9000, replies: [reply('link_only', [], true)] }), { ...setup, handle: 'Slow' });
    }
    const s = b.build();
    expect(s.ranking).toEqual(['Fast', 'Slow']);
    expect([s.handles.Fast!.grade, s.handles.Slow!.grade]).toEqual(['A', 'F']);
  });

  it('grades and periods', () => {
    expect(['A', 'B', 'C', 'D', 'F']).toEqual([80, 65, 50, 35, 34.9].map(gradeOf));
    expect(gradeOf(-1)).toBe('F');
    const nothing = gradeCard({ cases: 1, dueCases: 0, dueWithinTarget: 0, targetSeconds: 3600, clock: 'business', replyRate: 0, deflectionRate: null, resolutionRate: 0, replies: 0, signed: null, usesName: null, empathy: null, canned: null });
    expect(nothing.score).toEqual({ speed: 0, clarity: 35, personality: 20, overall: 18 });
    expect(nothing.reasons[0]).toBe('speed 0/100 (40% of the grade): no case was answered or past the 1h target yet');
    expect(nothing.reasons[3]).toBe('overall 18 = 0.4 × 0 + 0.4 × 35 + 0.2 × 20 → F (F below 35; 17 points short of D)');
    expect(periodKey(Date.parse('2017-11-01T10:00:00Z'), 'week')).toBe('week-of-2017-10-30');
  });
});

describe('case flags and record', () => {
  it('flags unanswered, deflected, breach, churn threat', () => {
    const c = kase({ firstResponseSeconds: 4000, firstResponseBusinessSeconds: 4000, customerFlags: ['complaint', 'churn_threat'], replies: [reply('team_redirect', [], true)] });
    expect(caseFlags(c, setup, T0)).toEqual(['deflected', 'sla_breach', 'complaint', 'churn_threat']);
    expect(caseFlags(kase({}), setup, T0)).toEqual(['unanswered']);
    const rec = caseRecord(c, setup, T0);
    expect(Object.keys(rec)).toEqual(expect.arrayContaining(['case_id', 'handle', 'customer_id', 'opened_at', 'first_response_seconds', 'first_response_business_seconds', 'next_response_seconds', 'replies', 'flags']));
    expect(rec.replies[0]).toMatchObject({ tweet_id: 'r', kind: 'team_redirect', reasons: [] });
  });
});
