// Owns /v1/cases: the filtered case list (newest opened first, or waiting cases by time left) and one case's timeline.
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../errors.ts';
import { caseTweets, getCase, listCases } from '../db/case-query.repository.ts';
import { breachesForCase } from '../db/breach-query.repository.ts';
import { alertsForCase } from '../db/alert-query.repository.ts';
import { decodeCursor, page } from './cursor.ts';
import { newRouter } from './env.ts';
import { AlertSchema, alertJson } from './alerts.ts';
import { BreachSchema, breachJson } from './breaches.ts';
import { csvList, cursor, errorResponses, IdParam, instant, iso, limit, notFoundResponse, pageOf } from './schemas.ts';

export const CaseSchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    team: z.string(),
    policy: z.string().nullable(),
    customer_id: z.string(),
    customer_username: z.string().nullable(),
    opening_tweet_id: z.string(),
    opened_at: z.string(),
    state: z.string().openapi({ example: 'open' }),
    closed_at: z.string().nullable(),
    close_reason: z.string().nullable(),
    first_customer_at: z.string(),
    last_customer_at: z.string(),
    first_brand_at: z.string().nullable(),
    last_brand_at: z.string().nullable(),
    awaiting_since: z.string().nullable().openapi({ description: 'the customer has been waiting since then (null: not waiting)' }),
    due_at: z.string().nullable().openapi({ description: 'wall-clock time the current wait reaches its target (waiting cases only)' }),
    first_response_seconds: z.number().nullable(),
    first_response_business_seconds: z.number().nullable(),
    next_response_seconds: z.array(z.number()),
    next_response_business_seconds: z.array(z.number()),
    customer_tweets: z.number().int(),
    brand_replies: z.number().int(),
    nudges: z.number().int(),
    complaint_score: z.number(),
    flags: z.array(z.string()),
  })
  .openapi('Case');

type CaseRowView = NonNullable<Awaited<ReturnType<typeof getCase>>>;

function caseJson(r: CaseRowView): z.infer<typeof CaseSchema> {
  return {
    id: r.id,
    handle: r.handle,
    team: r.team,
    policy: r.policy,
    customer_id: r.customer_id,
    customer_username: r.customer_username,
    opening_tweet_id: r.opening_tweet_id,
    opened_at: r.opened_at.toISOString(),
    state: r.state,
    closed_at: iso(r.closed_at),
    close_reason: r.close_reason,
    first_customer_at: r.first_customer_at.toISOString(),
    last_customer_at: r.last_customer_at.toISOString(),
    first_brand_at: iso(r.first_brand_at),
    last_brand_at: iso(r.last_brand_at),
    awaiting_since: iso(r.awaiting_since),
    due_at: iso(r.due_at),
    first_response_seconds: r.first_response_seconds,
    first_response_business_seconds: r.first_response_business_seconds,
    next_response_seconds: r.next_response_seconds ?? [],
    next_response_business_seconds: r.next_response_business_seconds ?? [],
    customer_tweets: r.customer_tweets,
    brand_replies: r.brand_replies,
    nudges: r.nudges,
    complaint_score: r.complaint_score,
    flags: r.flags,
  };
}

const TimelineTweet = z
  .object({
    id: z.string(),
    role: z.string().openapi({ example: 'customer' }),
    author_id: z.string(),
    author_username: z.string().nullable(),
    text: z.string(),
    created_at: z.string(),
    in_reply_to_tweet_id: z.string().nullable(),
    kind: z.string().nullable().openapi({ description: 'brand replies: resolution, dm_request, channel_redirect, …' }),
    complaint_score: z.number(),
    flags: z.array(z.string()),
    reasons: z.array(z.string()),
    wait_seconds: z.number().nullable().openapi({ description: 'brand replies: how long the oldest unanswered customer tweet before it waited' }),
  })
  .openapi('TimelineTweet');

const Wait = z.object({ from: z.string(), to: z.string().nullable(), seconds: z.number(), answered_by: z.string().nullable() }).openapi('Wait');

const CaseDetail = z
  .object({ case: CaseSchema, timeline: z.array(TimelineTweet), waits: z.array(Wait), breaches: z.array(BreachSchema), alerts: z.array(AlertSchema) })
  .openapi('CaseDetail');

const CaseQuerySchema = z.object({
  handle: z.string().max(50).optional(),
  team: z.string().max(100).optional(),
  state: csvList().optional().openapi({ description: 'e.g. open, closed; comma-separated' }),
  customer: z.string().max(100).optional().openapi({ description: 'customer id or username' }),
  from: instant.optional().openapi({ description: 'opened at or after' }),
  to: instant.optional().openapi({ description: 'opened before' }),
  flag: csvList().optional().openapi({ description: 'cases carrying all these flags, e.g. churn_threat' }),
  sort: z.enum(['opened', 'due']).default('opened').openapi({ description: 'opened: newest first; due: waiting cases, least time left first' }),
  limit,
  cursor,
});

const listRoute = createRoute({
  method: 'get',
  path: '/cases',
  tags: ['cases'],
  summary: 'Cases (one customer’s conversation with one handle)',
  request: { query: CaseQuerySchema },
  responses: { 200: { description: 'A page of cases', content: { 'application/json': { schema: pageOf(CaseSchema, 'CasePage') } } }, ...errorResponses },
});

const getRoute = createRoute({
  method: 'get',
  path: '/cases/{id}',
  tags: ['cases'],
  summary: 'A case with its timeline: each tweet with its classification and reasons, the waits, breaches and alerts',
  request: { params: IdParam },
  responses: { 200: { description: 'The case', content: { 'application/json': { schema: CaseDetail } } }, ...errorResponses, ...notFoundResponse },
});

type TweetRowView = Awaited<ReturnType<typeof caseTweets>>[number];

/** Each wait runs from the first customer tweet after the last brand reply to the next brand reply (or now). */
function timelineWaits(tweets: TweetRowView[], now: Date) {
  const waits: z.infer<typeof Wait>[] = [];
  const waitOf = new Map<string, number>();
  let since: Date | null = null;
  for (const t of tweets) {
    if (t.role === 'customer') since ??= t.created_at;
    else if (since) {
      const seconds = (t.created_at.getTime() - since.getTime()) / 1000;
      waits.push({ from: since.toISOString(), to: t.created_at.toISOString(), seconds, answered_by: t.id });
      waitOf.set(t.id, seconds);
      since = null;
    }
  }
  if (since) waits.push({ from: since.toISOString(), to: null, seconds: (now.getTime() - since.getTime()) / 1000, answered_by: null });
  return { waits, waitOf };
}

export function caseRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listCases(deps.db, { ...q, scopeTeamId: c.get('principal').teamId, after: decodeCursor(`cases:${q.sort}`, q.cursor) });
    const { data, next_cursor } = page(rows, q.limit, `cases:${q.sort}`, (r) => r.sort_key);
    return c.json({ data: data.map(caseJson), next_cursor }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await getCase(deps.db, id, c.get('principal').teamId);
    if (!row) throw new NotFoundError('case', id);
    const [tweets, breaches, alerts] = await Promise.all([caseTweets(deps.db, id), breachesForCase(deps.db, id), alertsForCase(deps.db, id)]);
    const { waits, waitOf } = timelineWaits(tweets, deps.clock());
    return c.json(
      {
        case: caseJson(row),
        timeline: tweets.map((t) => ({
          id: t.id,
          role: t.role,
          author_id: t.author_id,
          author_username: t.author_username,
          text: t.text,
          created_at: t.created_at.toISOString(),
          in_reply_to_tweet_id: t.in_reply_to_tweet_id,
          kind: t.kind,
          complaint_score: t.complaint_score,
          flags: t.flags,
          reasons: t.reasons,
          wait_seconds: waitOf.get(t.id) ?? null,
        })),
        waits,
        breaches: breaches.map(breachJson),
        alerts: alerts.map(alertJson),
      },
      200,
    );
  });

  return app;
}
