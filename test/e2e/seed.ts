// Seeds a database with a small, deterministic support day for the dashboard tests: real TWCS conversation
// texts re-timed to now, waiting cases, open alerts, a month of breaches and a day of first-response times.
import type { Db } from '../../src/db/connect.ts';

const MIN = 60_000;

/** Two real conversations from the TWCS sample (customer ids anonymised as in the corpus), as [author, minutes after start, text, kind|flags, reasons]. */
const CONVERSATIONS = [
  {
    handle: 'SpotifyCares',
    customer: '117167',
    tweets: [
      ['117167', 0, '@SpotifyCares when I watch an ad video and you say 30 mins ad free. I expect 30 mins ad free. Not 10 mins. https://t.co/1hmNwVarMm', 'complaint', ['complaint: "i expect"']],
      ['SpotifyCares', 98, "@117167 Hey Terry, that doesn't sound good! Did the app crash at any point during the 30 minutes? That can cause the ad-free time to reset /RA", 'info_request', ['asks a question in public: "did the app crash"', 'signed: "/RA"', 'uses name: "Terry"']],
      ['117167', 109, '@SpotifyCares Yes I did. The dude even said thanks for watching now enjoy your 30 mins of ad free music.', '', []],
      ['SpotifyCares', 111, "@117167 Hmm, that's odd. We'll get this passed on to our devs so they can look into it. Give us a shout if you need anything else /RA", 'resolution', ['takes action: "we\'ll get this passed on"', 'signed: "/RA"']],
      ['117167', 113, '@SpotifyCares Ok! Thanks. I will let you know if it happens again. Thanks for every thing! https://t.co/WWH8AKTJUk', 'thanks', ['thanks: "thanks for every thing"']],
    ],
  },
  {
    handle: 'AppleSupport',
    customer: '117183',
    tweets: [
      ['117183', 0, '@AppleSupport I installed the iOS 10.0 , 10.0.1 and 10.0.2 and makes my iPhone 6 very slow and doesn’t work properly can you help me?', 'complaint,question', ['complaint: "very slow"', 'question: "can you help me?"']],
      ['AppleSupport', 50, "@117183 We can help!  We assume you mean iOS 11, right?  Can you tell us what types of performance issues you're experiencing?", 'info_request', ['asks for details in public: "can you tell us"']],
      ['117183', 54, '@AppleSupport Yes, sorry i mean iOS 11, when I texting my keyboard it’s very slow and my battery it consumes very fast.', 'complaint', ['complaint: "very slow"']],
      ['AppleSupport', 80, '@117183 Are you currently using Low Power Mode? If so, disable that from Settings > Battery and restart. Let us know in DM if it helps. https://t.co/GDrqU22YpT', 'dm_request', ['moves to DMs: "let us know in dm"']],
    ],
  },
] as const;

/** Customers waiting right now: [handle, customer, minutes waiting, text]. */
const WAITING = [
  ['AmazonHelp', '823869', 74, '@AmazonHelp my parcel says delivered but nothing arrived. Third time this month. Thinking of cancelling Prime.'],
  ['AmazonHelp', '115712', 52, '@AmazonHelp hello?? still waiting for an answer about my refund'],
  ['AppleSupport', '116351', 21, '@AppleSupport ios 11.0.3 on 6s. Cannot adjust alarm volume so waking up all in my house and neighbours despite ringer being set to minimum!'],
  ['SpotifyCares', '117234', 6, '@SpotifyCares the app keeps logging me out on my laptop, any fix?'],
] as const;

// A small deterministic PRNG so the screenshots and counts are the same on every run.
function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export interface Seeded {
  handles: Record<string, number>;
  caseIds: { spotify: string; apple: string; waiting: string[] };
  alertIds: string[];
}

// jsonb columns take JSON text: node-postgres would send a JS array as a PostgreSQL array literal.
const CASE_DEFAULTS = { next_response_seconds: '[]', next_response_business_seconds: '[]', summary: '{}' };

let nextTweetId = 900_000_000_000n;

async function tweet(db: Db, handleId: number, author: string, text: string, at: Date, role: 'customer' | 'brand') {
  const id = String(nextTweetId++);
  await db.insertInto('tweets').values({ id, author_id: author, author_username: role === 'brand' ? author : null, text, created_at: at, source: 'seed' }).execute();
  await db.insertInto('tweet_handles').values({ handle_id: handleId, tweet_id: id, role, created_at: at }).execute();
  return id;
}

export async function seed(db: Db, now = new Date()): Promise<Seeded> {
  const handleRows = await db.selectFrom('handles').select(['id', 'handle', 'team_id']).execute();
  const handles = Object.fromEntries(handleRows.map((h) => [h.handle, h.id]));
  const teamOf = Object.fromEntries(handleRows.map((h) => [h.handle, h.team_id]));
  const t = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * MIN);

  // The two real conversations: one answered and closed, one still open after a DM request.
  const convIds: string[] = [];
  for (const [i, conv] of CONVERSATIONS.entries()) {
    const start = t(i === 0 ? 600 : 180);
    const at = (m: number) => new Date(start.getTime() + m * MIN);
    const brand = conv.tweets.filter((x) => x[0] === conv.handle);
    const firstBrand = brand[0]![1] as number;
    const c = await db
      .insertInto('cases')
      .values({
        case_key: `${conv.handle}:${conv.customer}:seed`,
        handle_id: handles[conv.handle]!,
        customer_id: conv.customer,
        opening_tweet_id: 0,
        opened_at: start,
        state: i === 0 ? 'closed' : 'open',
        closed_at: i === 0 ? at(113) : null,
        first_customer_at: start,
        last_customer_at: at(conv.tweets.filter((x) => x[0] !== conv.handle).at(-1)![1] as number),
        first_brand_at: at(firstBrand),
        last_brand_at: at(brand.at(-1)![1] as number),
        first_response_seconds: firstBrand * 60,
        customer_tweets: conv.tweets.length - brand.length,
        brand_replies: brand.length,
        flags: i === 0 ? [] : ['complaint'],
        ...CASE_DEFAULTS,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    convIds.push(c.id);
    for (const [author, minute, text, tags, reasons] of conv.tweets) {
      const role = author === conv.handle ? 'brand' : 'customer';
      const id = await tweet(db, handles[conv.handle]!, author, text, at(minute), role);
      const list = tags ? tags.split(',') : [];
      await db
        .insertInto('tweet_classifications')
        .values({ tweet_id: id, handle_id: handles[conv.handle]!, case_id: c.id, role, kind: role === 'brand' ? (list[0] ?? null) : null, flags: role === 'brand' ? (list[0] === 'resolution' ? ['signed'] : []) : list, reasons: JSON.stringify(reasons) })
        .execute();
    }
  }

  // Customers waiting for a first reply now.
  const waiting: string[] = [];
  for (const [handle, customer, minutes, text] of WAITING) {
    const at = t(minutes);
    const c = await db
      .insertInto('cases')
      .values({ case_key: `${handle}:${customer}:waiting`, handle_id: handles[handle]!, customer_id: customer, opening_tweet_id: 0, opened_at: at, first_customer_at: at, last_customer_at: at, awaiting_since: at, customer_tweets: 1, nudges: text.includes('??') ? 1 : 0, flags: text.includes('cancelling') ? ['complaint', 'churn_threat'] : ['complaint'], ...CASE_DEFAULTS })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = await tweet(db, handles[handle]!, customer, text, at, 'customer');
    await db.insertInto('tweet_classifications').values({ tweet_id: id, handle_id: handles[handle]!, case_id: c.id, role: 'customer', kind: null, flags: ['complaint'], reasons: JSON.stringify(['complaint: seeded']) }).execute();
    waiting.push(c.id);
  }

  // Open alerts on the waiting cases.
  const alertIds: string[] = [];
  const alerts = [
    { case: 0, handle: 'AmazonHelp', kind: 'first_response_breach', severity: 'critical', title: '@AmazonHelp: customer 823869 has waited 74m for a first reply (target 60m)', reasons: ['first response target 60m missed by 14m', 'customer threatens to cancel'], ago: 14 },
    { case: 1, handle: 'AmazonHelp', kind: 'first_response_warning', severity: 'warning', title: '@AmazonHelp: customer 115712 is at 80% of the first-response target', reasons: ['48m of 60m used', 'customer nudged once'], ago: 4 },
    { case: 0, handle: 'AmazonHelp', kind: 'churn_threat', severity: 'critical', title: '@AmazonHelp: customer 823869 threatens to cancel', reasons: ['churn threat: "thinking of cancelling prime"'], ago: 74 },
  ];
  for (const a of alerts) {
    const row = await db
      .insertInto('alerts')
      .values({ dedup_key: `seed:${a.kind}:${a.case}`, kind: a.kind, severity: a.severity, handle_id: handles[a.handle]!, team_id: teamOf[a.handle]!, case_id: waiting[a.case]!, title: a.title, reasons: JSON.stringify(a.reasons), details: '{}', raised_at: t(a.ago) })
      .returning('id')
      .executeTakeFirstOrThrow();
    alertIds.push(row.id);
  }

  // A month of missed targets, each on its own answered-late case: evenings are understaffed.
  const rand = prng(7);
  const names = Object.keys(handles);
  const late = [];
  for (let i = 0; i < 160; i++) {
    const day = Math.floor(rand() * 28);
    const evening = rand() < 0.6;
    const due = new Date(now.getTime() - day * 86400_000);
    due.setHours(evening ? 18 + Math.floor(rand() * 5) : Math.floor(rand() * 24), Math.floor(rand() * 60), 0, 0);
    if (due > now) due.setDate(due.getDate() - 7);
    const handle = names[Math.floor(rand() * names.length)]!;
    const target = 3600;
    const over = 60 + Math.round(rand() * 5400);
    const opened = new Date(due.getTime() - target * 1000);
    const answered = new Date(due.getTime() + over * 1000);
    late.push({ handle, target, over, opened, due, answered });
  }
  const lateCases = await db
    .insertInto('cases')
    .values(late.map((b, i) => ({ case_key: `${b.handle}:late:${i}`, handle_id: handles[b.handle]!, customer_id: String(300000 + i), opening_tweet_id: 0, opened_at: b.opened, state: 'closed', first_customer_at: b.opened, last_customer_at: b.opened, first_brand_at: b.answered, last_brand_at: b.answered, first_response_seconds: b.target + b.over, first_response_business_seconds: b.target + b.over, customer_tweets: 1, brand_replies: 1, ...CASE_DEFAULTS })))
    .returning('id')
    .execute();
  await db
    .insertInto('breaches')
    .values(late.map((b, i) => ({ case_id: lateCases[i]!.id, handle_id: handles[b.handle]!, team_id: teamOf[b.handle]!, metric: 'first_response', policy: 'default', clock: 'wall', target_seconds: b.target, started_at: b.opened, due_at: b.due, answered_at: b.answered, actual_seconds: b.target + b.over, over_by_seconds: b.over })))
    .execute();

  // A day of answered cases per handle, so the latency chart has a median and a p90 per hour.
  const caseRows = [];
  for (const handle of names) {
    for (let h = 1; h <= 36; h++) {
      const slow = new Date(now.getTime() - h * 3600_000).getHours() >= 18 ? 2.5 : 1;
      for (let k = 0; k < 5; k++) {
        const opened = new Date(now.getTime() - h * 3600_000 + Math.floor(rand() * 3600_000));
        const wait = Math.round((300 + rand() * 2400) * slow * (handle === 'AmazonHelp' ? 1.4 : 1));
        caseRows.push({ case_key: `${handle}:hist:${h}:${k}`, handle_id: handles[handle]!, customer_id: String(200000 + caseRows.length), opening_tweet_id: 0, opened_at: opened, state: 'closed', first_customer_at: opened, last_customer_at: opened, first_brand_at: new Date(opened.getTime() + wait * 1000), last_brand_at: new Date(opened.getTime() + wait * 1000), first_response_seconds: wait, first_response_business_seconds: wait, customer_tweets: 1, brand_replies: 1, ...CASE_DEFAULTS });
      }
    }
  }
  await db.insertInto('cases').values(caseRows).execute();

  return { handles, caseIds: { spotify: convIds[0]!, apple: convIds[1]!, waiting }, alertIds };
}

/** Raises one more alert, as the analyzer would while the page is open. */
export async function raiseAlert(db: Db, handleId: number, caseId: string, title: string): Promise<string> {
  const h = await db.selectFrom('handles').select('team_id').where('id', '=', handleId).executeTakeFirstOrThrow();
  const row = await db
    .insertInto('alerts')
    .values({ dedup_key: `seed:live:${caseId}:${Date.now()}`, kind: 'first_response_breach', severity: 'critical', handle_id: handleId, team_id: h.team_id, case_id: caseId, title, reasons: JSON.stringify(['first response target 60m missed']), details: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
