import { describe, expect, it } from 'vitest';
import { CaseBook, compareTweets, buildResponderIndex, type HandleSetup } from '../../src/domain/analysis.ts';
import { compileCalendar } from '../../src/domain/calendar.ts';
import { applyTweet, closeIfQuiet, currentWait, isBareAck, type CaseState } from '../../src/domain/cases.ts';
import { POLICY_DEFAULTS } from '../../src/domain/policy.ts';
import { routeTweet, watchList } from '../../src/domain/routing.ts';
import type { Calendar, Policy, Tweet } from '../../src/domain/types.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z'); // a Monday
const min = (n: number) => new Date(T0 + n * 60_000);
const always: Calendar = { name: 'always', timezone: 'UTC', hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']])), holidays: [] };
const policy: Policy = { ...POLICY_DEFAULTS, name: 'default', clock: 'wall' };

function tw(id: string, authorId: string, at: number, text: string, extra: Partial<Tweet> = {}): Tweet {
  return { id, authorId, text, createdAt: min(at), mentions: [...text.matchAll(/@(\w+)/g)].map((m) => m[1]!), isBrand: !/^\d+$/.test(authorId), ...extra };
}

/** Runs tweets through the batch path (sorted like `analyze`) and returns every case. */
function thread(tweets: Tweet[], opts: { policy?: Policy; handles?: string[] } = {}): CaseState[] {
  const handles = opts.handles ?? [...new Set(tweets.filter((t) => t.isBrand).map((t) => t.authorId))];
  const watched = watchList(handles);
  const setup = (handle: string): HandleSetup => ({ handle, policy: opts.policy ?? policy, calendar: compileCalendar(always) });
  const out: CaseState[] = [];
  const sorted = [...tweets].sort(compareTweets);
  const book = new CaseBook({ setup, watched, responders: buildResponderIndex(sorted, watched), onCase: (c) => out.push(c) });
  for (const t of sorted) book.add(t);
  book.finish(sorted.at(-1)!.createdAt.getTime());
  return out.sort((a, b) => a.openedAt - b.openedAt || a.handle.localeCompare(b.handle));
}

describe('threading (batch path)', () => {
  it('measures first and next response along a chain of replies to replies', () => {
    const cases = thread([
      tw('1', '111', 0, '@AcmeHelp my order never arrived and nobody answers'),
      tw('2', 'AcmeHelp', 12, '@111 Sorry to hear that! Which order number is it?', { inReplyToTweetId: '1' }),
      tw('3', '111', 20, '@AcmeHelp it is 12345, placed last week', { inReplyToTweetId: '2' }),
      tw('4', 'AcmeHelp', 50, '@111 Thanks, we have sent a replacement that arrives tomorrow.', { inReplyToTweetId: '3' }),
    ]);
    expect(cases).toHaveLength(1);
    const c = cases[0]!;
    expect(c).toMatchObject({ handle: 'AcmeHelp', customerId: '111', firstResponseSeconds: 12 * 60, nextResponseSeconds: [30 * 60], customerTweets: 2, brandReplies: 2 });
    expect(c.customerTweetIds).toEqual(['1', '3']);
    expect(c.replies.map((r) => [r.tweetId, r.answered])).toEqual([
      ['2', true],
      ['4', true],
    ]);
  });

  it('handles tweets that arrive out of order (reply listed before its parent)', () => {
    const inOrder = [
      tw('10', '111', 0, '@AcmeHelp my card was charged twice'),
      tw('11', 'AcmeHelp', 5, '@111 We are sorry, please DM us the details.', { inReplyToTweetId: '10' }),
      tw('12', '111', 9, '@AcmeHelp done, sent you a DM', { inReplyToTweetId: '11' }),
      tw('13', 'AcmeHelp', 15, '@111 Got it, refund issued.', { inReplyToTweetId: '12' }),
    ];
    const shuffled = [inOrder[3]!, inOrder[1]!, inOrder[2]!, inOrder[0]!];
    const a = thread(inOrder);
    const b = thread(shuffled);
    expect(b).toEqual(a);
    expect(b[0]).toMatchObject({ firstResponseSeconds: 300, nextResponseSeconds: [360] });
  });

  it('keeps two conversations of one customer with two brands apart', () => {
    const cases = thread([
      tw('20', '111', 0, '@AcmeHelp my parcel is late'),
      tw('21', '111', 1, '@BankCare my card is blocked'),
      tw('22', 'BankCare', 3, '@111 Sorry! Can you tell us the last 4 digits?', { inReplyToTweetId: '21' }),
      tw('23', 'AcmeHelp', 30, '@111 Sorry about that, it will arrive today.', { inReplyToTweetId: '20' }),
      tw('24', '111', 31, '@AcmeHelp still nothing here at all, where is it', { inReplyToTweetId: '23' }),
      tw('25', 'AcmeHelp', 41, '@111 The driver is on the way now.', { inReplyToTweetId: '24' }),
    ]);
    expect(cases.map((c) => [c.handle, c.customerId, c.firstResponseSeconds, c.nextResponseSeconds])).toEqual([
      ['AcmeHelp', '111', 1800, [600]],
      ['BankCare', '111', 120, []],
    ]);
  });

  it('opens one case per brand for a multi-brand mention', () => {
    const cases = thread([
      tw('30', '111', 0, '@AcmeHelp @ShipFast who lost my parcel? tracking says delivered'),
      tw('31', 'ShipFast', 10, '@111 We are looking into it now.', { inReplyToTweetId: '30' }),
    ], { handles: ['AcmeHelp', 'ShipFast'] });
    expect(cases.map((c) => [c.handle, c.openingTweetId, c.firstResponseSeconds])).toEqual([
      ['AcmeHelp', '30', null],
      ['ShipFast', '30', 600],
    ]);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(2);
  });

  it('routes an opener that names the brand only by a numeric id through the brand that answered it', () => {
    const cases = thread([tw('40', '111', 0, '@115712 where is my refund'), tw('41', 'AcmeHelp', 7, '@111 Let me check that for you.', { inReplyToTweetId: '40' })]);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ handle: 'AcmeHelp', customerId: '111', firstResponseSeconds: 420 });
  });

  it('closes a case after the quiet period and opens a new one on the next tweet', () => {
    const cases = thread(
      [
        tw('50', '111', 0, '@AcmeHelp the app crashes on start'),
        tw('51', 'AcmeHelp', 10, '@111 Please reinstall the app and let us know.', { inReplyToTweetId: '50' }),
        tw('52', '111', 10 + 73 * 60, '@AcmeHelp it crashes again since the update', { inReplyToTweetId: '51' }),
        tw('53', 'AcmeHelp', 10 + 73 * 60 + 5, '@111 Sorry, we are on it.', { inReplyToTweetId: '52' }),
      ],
      { policy: { ...policy, quietCloseHours: 72 } },
    );
    expect(cases.map((c) => [c.openingTweetId, c.state, c.closeReason, c.firstResponseSeconds])).toEqual([
      ['50', 'closed', 'quiet', 600],
      ['52', 'open', null, 300],
    ]);
    expect(cases[0]!.closedAt).toBe(min(10 + 72 * 60).getTime());
  });

  it('keeps a waiting customer case open past the quiet period and measures the late answer', () => {
    const cases = thread([tw('55', '111', 0, '@AcmeHelp hello? my account is locked'), tw('56', 'AcmeHelp', 80 * 60, '@111 Sorry for the wait, unlocked now.', { inReplyToTweetId: '55' })]);
    expect(cases).toHaveLength(1);
    expect(cases[0]!.firstResponseSeconds).toBe(80 * 3600);
  });

  it('closes on thanks; the "you are welcome" joins the closed case; a later question opens a new case', () => {
    const cases = thread([
      tw('60', '111', 0, '@AcmeHelp how do I reset my password?'),
      tw('61', 'AcmeHelp', 4, '@111 Tap "Forgot password" on the login screen.', { inReplyToTweetId: '60' }),
      tw('62', '111', 6, '@AcmeHelp thank you so much!', { inReplyToTweetId: '61' }),
      tw('63', 'AcmeHelp', 8, '@111 You are welcome!', { inReplyToTweetId: '62' }),
      tw('64', '111', 120, '@AcmeHelp my order is missing an item, can you help?'),
    ]);
    expect(cases.map((c) => [c.openingTweetId, c.state, c.closeReason, c.brandReplies, c.nextResponseSeconds])).toEqual([
      ['60', 'closed', 'thanks', 2, []],
      ['64', 'open', null, 0, []],
    ]);
  });

  it('does not start a next-response clock for a trailing "ok"', () => {
    const cases = thread([
      tw('70', '111', 0, '@AcmeHelp is the store open on Sunday?'),
      tw('71', 'AcmeHelp', 3, '@111 Yes, from 10am to 4pm.', { inReplyToTweetId: '70' }),
      tw('72', '111', 5, '@AcmeHelp ok', { inReplyToTweetId: '71' }),
    ]);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ state: 'open', awaitingSince: null, nextResponseSeconds: [], customerTweets: 2 });
  });

  it('excludes an automated reply from first response unless the policy counts it', () => {
    const tweets = [
      tw('80', '111', 0, '@AcmeHelp my internet is down again'),
      tw('81', 'AcmeHelp', 1, '@111 Thanks for reaching out! An agent will reply soon. [auto]', { inReplyToTweetId: '80' }),
      tw('82', 'AcmeHelp', 25, '@111 Sorry about that, we reset your line, please check now.', { inReplyToTweetId: '80' }),
    ];
    const auto: Policy = { ...policy, automatedPatterns: ['\\[auto\\]'] };
    const [excluded] = thread(tweets, { policy: auto });
    expect(excluded).toMatchObject({ firstResponseSeconds: 25 * 60, automatedReplies: 1 });
    expect(excluded!.replies.map((r) => [r.automated, r.answered])).toEqual([
      [true, false],
      [false, true],
    ]);
    const [counted] = thread(tweets, { policy: { ...auto, countAutomatedReplies: true } });
    expect(counted!.firstResponseSeconds).toBe(60);
  });
});

describe('applyTweet (incremental path)', () => {
  const cal = compileCalendar(always);
  const route = { handle: 'AcmeHelp', customerId: '111', role: 'customer' as const };
  const brand = { ...route, role: 'brand' as const };
  const none = { flags: [], complaintScore: 0, reasons: [] };

  it('produces events for clocks and round-trips through JSON mid-case with the same result', () => {
    const r1 = applyTweet(undefined, tw('1', '111', 0, 'help'), { route, policy, calendar: cal, customer: { flags: ['complaint'], complaintScore: 0.9, reasons: [] } });
    expect(r1.events.map((e) => e.type)).toEqual(['case_opened', 'awaiting_started']);
    expect(currentWait(r1.state!)).toEqual({ metric: 'first_response', seq: 0, startedAt: min(0), complaint: true });
    // A worker stores the state as JSON between tweets.
    const stored = JSON.parse(JSON.stringify(r1.state)) as CaseState;
    const r2 = applyTweet(stored, tw('2', 'AcmeHelp', 30, '@111 hi'), { route: brand, policy, calendar: cal, reply: { kind: 'info_request', personality: [], reasons: ['r'] } });
    expect(r2.events).toEqual([{ type: 'responded', caseId: 'AcmeHelp:1', metric: 'first_response', seq: 0, at: min(30).getTime(), seconds: 1800, businessSeconds: 1800 }]);
    const r3 = applyTweet(r2.state, tw('3', '111', 40, 'still broken'), { route, policy, calendar: cal, customer: none });
    expect(r3.events).toEqual([{ type: 'awaiting_started', caseId: 'AcmeHelp:1', metric: 'next_response', seq: 1, startedAt: min(40).getTime(), complaint: true }]);
  });

  it('records a late tweet without moving clocks', () => {
    const r1 = applyTweet(undefined, tw('1', '111', 10, 'help'), { route, policy, calendar: cal, customer: none });
    const r2 = applyTweet(r1.state, tw('0', '111', 5, 'earlier tweet'), { route, policy, calendar: cal, customer: none });
    expect(r2.state).toMatchObject({ openedAt: min(10).getTime(), awaitingSince: min(10).getTime(), lateTweets: 1, customerTweets: 2 });
    const r3 = applyTweet(r2.state, tw('2', 'AcmeHelp', 8, '@111 hi'), { route: brand, policy, calendar: cal });
    expect(r3.state!.firstResponseSeconds).toBeNull();
  });

  it('treats a brand tweet with no case as an orphan, and closeIfQuiet closes idle answered cases only', () => {
    const orphan = applyTweet(undefined, tw('9', 'AcmeHelp', 0, '@111 hello'), { route: brand, policy, calendar: cal });
    expect(orphan.state).toBeUndefined();
    expect(orphan.events[0]!.type).toBe('orphan_reply');
    const waiting = applyTweet(undefined, tw('1', '111', 0, 'help'), { route, policy, calendar: cal, customer: none }).state!;
    expect(closeIfQuiet(waiting, min(100 * 60).getTime(), policy)).toBeUndefined();
    applyTweet(waiting, tw('2', 'AcmeHelp', 1, '@111 done'), { route: brand, policy, calendar: cal });
    expect(closeIfQuiet(waiting, min(1 + 72 * 60).getTime(), policy)).toMatchObject({ type: 'case_closed', reason: 'quiet' });
  });

  it('recognises bare acknowledgements', () => {
    for (const t of ['ok', '@AcmeHelp okay!', 'k', 'Got it 👍', 'will do.']) expect(isBareAck(t)).toBe(true);
    for (const t of ['ok but it still does not work', 'why?']) expect(isBareAck(t)).toBe(false);
  });
});

describe('routeTweet', () => {
  const watched = watchList(['AcmeHelp', 'ShipFast'], { '999': 'AcmeHelp' });
  it('routes by X in_reply_to_user_id and by watched numeric ids', () => {
    expect(routeTweet(tw('1', '111', 0, 'no mention here', { inReplyToUserId: '999' }), { watched })).toEqual([{ handle: 'AcmeHelp', customerId: '111', role: 'customer' }]);
    expect(routeTweet(tw('2', '111', 0, '@acmehelp lower case'), { watched })).toEqual([{ handle: 'AcmeHelp', customerId: '111', role: 'customer' }]);
  });
  it('falls back to the X conversation root when the parent is unknown', () => {
    const root = { authorId: '111', isBrand: false, handles: ['AcmeHelp'] };
    expect(routeTweet(tw('6', 'AcmeHelp', 0, 'Sorry to hear that, we are on it'), { watched, conversationRoot: root })).toEqual([{ handle: 'AcmeHelp', customerId: '111', role: 'brand' }]);
    expect(routeTweet(tw('7', '111', 0, 'any news?'), { watched, conversationRoot: root })).toEqual([{ handle: 'AcmeHelp', customerId: '111', role: 'customer' }]);
  });

  it('routes a brand reply to the customer of its parent, and ignores unwatched brands and broadcasts', () => {
    expect(routeTweet(tw('3', 'AcmeHelp', 0, '@222 @111 hi'), { watched, parent: { authorId: '111', isBrand: false, handles: ['AcmeHelp'] } })).toEqual([{ handle: 'AcmeHelp', customerId: '111', role: 'brand' }]);
    expect(routeTweet(tw('4', 'OtherCo', 0, '@111 hi'), { watched })).toEqual([]);
    expect(routeTweet(tw('5', 'AcmeHelp', 0, 'We are online until 8pm!'), { watched })).toEqual([]);
  });
});
