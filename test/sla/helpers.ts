// Builds hand-made timelines in a test database: a team, calendar, policy and handle, then tweets linked to the handle.
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect.ts';
import { upsertTweets, linkTweetHandles } from '../../src/db/tweet.repository.ts';
import { analyzeHandle } from '../../workers/analyze-handle.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';
import type { Calendar } from '../../src/domain/types.ts';

export interface Seed {
  handle?: string;
  policy?: Record<string, unknown>;
  calendar?: Calendar;
  vip?: string[];
  vipPolicy?: Record<string, unknown>;
}

let n = 0;
export async function seedHandle(db: Db, s: Seed = {}): Promise<{ handleId: number; teamId: number; handle: string }> {
  const tag = `${++n}_${Math.random().toString(36).slice(2, 7)}`;
  const cal = s.calendar
    ? await db.insertInto('calendars').values({ name: `cal_${tag}`, timezone: s.calendar.timezone, hours: JSON.stringify(s.calendar.hours), holidays: JSON.stringify(s.calendar.holidays) }).returning('id').executeTakeFirstOrThrow()
    : undefined;
  const pol = await db.insertInto('policies').values({ name: `pol_${tag}`, settings: JSON.stringify(s.policy ?? { clock: 'wall' }) }).returning('id').executeTakeFirstOrThrow();
  const vipPol = s.vipPolicy ? await db.insertInto('policies').values({ name: `vip_${tag}`, settings: JSON.stringify(s.vipPolicy) }).returning('id').executeTakeFirstOrThrow() : undefined;
  const team = await db.insertInto('teams').values({ name: `team_${tag}`, calendar_id: cal?.id ?? null }).returning('id').executeTakeFirstOrThrow();
  const handle = s.handle ?? `Acme${tag}`;
  const h = await db
    .insertInto('handles')
    .values({ handle, team_id: team.id, policy_id: pol.id, vip: JSON.stringify(s.vip ?? []), vip_policy_id: vipPol?.id ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { handleId: h.id, teamId: team.id, handle };
}

export interface T {
  id: string;
  /** Customer id, or the handle name for a brand tweet. */
  author: string;
  text: string;
  at: string | Date;
  replyTo?: string;
  brand?: boolean;
}

/** Stores tweets and links them to the handle in the given order (their queue order). */
export async function addTweets(db: Db, handleId: number, handle: string, tweets: T[]): Promise<void> {
  await upsertTweets(
    db,
    tweets.map((t) => ({
      tweet: {
        id: t.id,
        authorId: t.author,
        authorUsername: t.brand ? handle : undefined,
        text: t.text,
        createdAt: new Date(t.at),
        inReplyToTweetId: t.replyTo,
        mentions: t.brand ? [] : [handle],
        isBrand: !!t.brand,
      },
    })),
    'test',
  );
  await linkTweetHandles(db, tweets.map((t) => ({ handleId, tweetId: t.id, role: t.brand ? 'brand' : 'customer', createdAt: new Date(t.at) })));
}

export function analyze(db: Db, handleId: number, now: string | Date, opts: { batchSize?: number; canned?: CannedDetector } = {}) {
  return analyzeHandle(db, handleId, { now: () => new Date(now), canned: opts.canned ?? new CannedDetector(), batchSize: opts.batchSize });
}

/** Pending graphile-worker jobs by key (the deadline timers). */
export async function pendingJobs(db: Db, prefix = 'deadline:'): Promise<{ key: string; run_at: Date }[]> {
  const r = await sql<{ key: string; run_at: Date }>`select key, run_at from graphile_worker._private_jobs where key like ${prefix + '%'} order by run_at, key`.execute(db);
  return r.rows;
}
