// A fake X API v2 (real HTTP on 127.0.0.1, port 0): users, mentions, user timelines and recent search from fixtures,
// with since_id / pagination semantics, x-rate-limit-* headers and switchable faults. Payload shapes follow the v2 docs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { XPost, XProblem, XUser } from '../../src/domain/x-tweet.ts';

export interface FakeXFaults {
  /** The next N timeline/search requests answer 429; reset `resetInSeconds` ahead (or usage-capped, which reset does not cure). */
  rateLimit?: { count: number; resetInSeconds: number; usageCapped?: boolean; after?: number };
  /** The next N requests answer this 5xx status. */
  serverError?: { count: number; status: 500 | 502 | 503; after?: number };
  /** The next N responses are cut off mid-body (valid headers, half a JSON document, then the socket closes). */
  cutOff?: { count: number };
  /** Every response waits this long first. */
  slowMs?: number;
  /** These problems ride along in errors[] of the next N 200 responses. */
  partialErrors?: { count: number; errors: XProblem[] };
  /** Requests naming these user ids (or usernames) answer 401. */
  unauthorized?: Set<string>;
}

export interface ServedRequest {
  path: string;
  query: Record<string, string>;
  status: number;
  userId?: string;
  returnedIds: string[];
}

const PAGE_MAX = 100;
const WINDOW = 900;

function cmp(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export class FakeX {
  readonly users: XUser[];
  posts: XPost[];
  faults: FakeXFaults = {};
  readonly requests: ServedRequest[] = [];
  /** Requests in flight per user id, and the most ever seen at once (two polls of one handle would show 2). */
  readonly inFlight = new Map<string, number>();
  maxInFlight = 0;
  rateLimit = 450;
  private remaining = new Map<string, { remaining: number; reset: number }>();
  private server?: http.Server;
  url = '';
  private listeners: Array<() => void> = [];

  constructor(fixture: { users: XUser[]; posts: XPost[] }) {
    this.users = fixture.users;
    this.posts = fixture.posts.map((p) => ({ ...p }));
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Resolves once `pred` holds after a served request (waits for an event instead of sleeping). */
  waitFor(pred: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake X: condition not met in time')), timeoutMs);
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /** Publishes a new version of a post: a new id whose edit history starts with the original (X's edit model). */
  edit(originalId: string, newId: string, text: string): XPost {
    const orig = this.posts.find((p) => p.id === originalId);
    if (!orig) throw new Error(`no post ${originalId}`);
    const history = [...(orig.edit_history_tweet_ids ?? [orig.id]), newId];
    const version: XPost = { ...orig, id: newId, text, edit_history_tweet_ids: history };
    this.posts.push(version);
    return version;
  }

  userByName(name: string): XUser | undefined {
    return this.users.find((u) => u.username.toLowerCase() === name.toLowerCase());
  }

  private send(res: http.ServerResponse, status: number, body: unknown, endpoint: string | undefined, req: ServedRequest, extraHeaders: Record<string, string> = {}) {
    req.status = status;
    const headers: Record<string, string> = { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8', ...extraHeaders };
    if (endpoint) {
      const now = Math.floor(Date.now() / 1000);
      let rl = this.remaining.get(endpoint);
      if (!rl || rl.reset <= now) rl = { remaining: this.rateLimit, reset: now + WINDOW };
      if (status !== 429) rl.remaining = Math.max(0, rl.remaining - 1);
      this.remaining.set(endpoint, rl);
      headers['x-rate-limit-limit'] = headers['x-rate-limit-limit'] ?? String(this.rateLimit);
      headers['x-rate-limit-remaining'] = headers['x-rate-limit-remaining'] ?? String(rl.remaining);
      headers['x-rate-limit-reset'] = headers['x-rate-limit-reset'] ?? String(rl.reset);
    }
    const text = JSON.stringify(body);
    if (this.faults.cutOff && this.faults.cutOff.count > 0 && status === 200) {
      this.faults.cutOff.count--;
      req.status = -1;
      req.returnedIds = [];
      res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, headers);
    res.end(text);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const served: ServedRequest = { path: url.pathname, query, status: 0, returnedIds: [] };
    this.requests.push(served);
    const userMatch = url.pathname.match(/^\/2\/users\/([^/]+)\/(mentions|tweets)$/);
    const userId = userMatch?.[1];
    served.userId = userId;
    const key = userId ?? query.query ?? url.pathname;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.get(key)!);
    try {
      if (this.faults.slowMs) await new Promise((r) => setTimeout(r, this.faults.slowMs));
      this.route(url, query, served, res, userMatch);
    } finally {
      this.inFlight.set(key, this.inFlight.get(key)! - 1);
      for (const l of [...this.listeners]) l();
    }
  }

  private route(url: URL, query: Record<string, string>, served: ServedRequest, res: http.ServerResponse, userMatch: RegExpMatchArray | null) {
    const auth = this.faults.unauthorized;
    const byName = url.pathname.match(/^\/2\/users\/by\/username\/([^/]+)$/);
    if (byName) {
      const name = decodeURIComponent(byName[1]);
      if (auth?.has(name)) return this.send(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }, 'users/by/username', served);
      const user = this.userByName(name);
      if (!user) {
        return this.send(res, 200, { errors: [{ value: name, detail: `Could not find user with username: [${name}].`, title: 'Not Found Error', resource_type: 'user', parameter: 'username', resource_id: name, type: 'https://api.twitter.com/2/problems/resource-not-found' }] }, 'users/by/username', served);
      }
      return this.send(res, 200, { data: { id: user.id, name: user.name, username: user.username } }, 'users/by/username', served);
    }
    let endpoint: string;
    let match: (p: XPost) => boolean;
    if (userMatch) {
      const user = this.users.find((u) => u.id === userMatch[1]);
      endpoint = userMatch[2] === 'mentions' ? 'users/:id/mentions' : 'users/:id/tweets';
      if (auth?.has(userMatch[1]) || (user && auth?.has(user.username))) {
        return this.send(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }, endpoint, served);
      }
      if (!user) return this.send(res, 404, { title: 'Not Found Error', type: 'https://api.twitter.com/2/problems/resource-not-found', detail: 'user not found' }, endpoint, served);
      match = userMatch[2] === 'mentions' ? (p) => (p.entities?.mentions ?? []).some((m) => m.username.toLowerCase() === user.username.toLowerCase()) : (p) => p.author_id === user.id;
    } else if (url.pathname === '/2/tweets/search/recent') {
      endpoint = 'tweets/search/recent';
      const names = [...(query.query ?? '').matchAll(/(?:@|from:)(\w+)/g)].map((m) => m[1].toLowerCase());
      const ids = new Set(names.map((n) => this.userByName(n)?.id).filter(Boolean));
      match = (p) => ids.has(p.author_id) || (p.entities?.mentions ?? []).some((m) => names.includes(m.username.toLowerCase()));
    } else {
      return this.send(res, 404, { title: 'Not Found Error', type: 'about:blank', detail: `no route ${url.pathname}` }, undefined, served);
    }

    // `after`: let that many timeline requests through first (e.g. a 429 on the second page).
    const rl = this.faults.rateLimit;
    if (rl && rl.count > 0 && rl.after) rl.after--;
    else if (rl && rl.count > 0) {
      rl.count--;
      const reset = Math.floor(Date.now() / 1000) + rl.resetInSeconds;
      const body = rl.usageCapped
        ? { title: 'UsageCapExceeded', type: 'https://api.x.com/2/problems/usage-capped', period: 'Monthly', scope: 'Product', detail: 'Usage cap exceeded: Monthly product cap', status: 429 }
        : { title: 'Too Many Requests', type: 'https://api.x.com/2/problems/rate-limit-exceeded', detail: 'Too Many Requests', status: 429 };
      return this.send(res, 429, body, endpoint, served, { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) });
    }
    const se = this.faults.serverError;
    if (se && se.count > 0 && se.after) se.after--;
    else if (se && se.count > 0) {
      se.count--;
      return this.send(res, se.status, { title: 'Service Unavailable', type: 'about:blank', status: se.status, detail: 'Service Unavailable' }, endpoint, served);
    }

    // Pagination: the token pins the newest id of the first page, so posts arriving meanwhile don't shift pages.
    const max = Math.min(PAGE_MAX, Math.max(5, Number(query.max_results ?? 10)));
    const tokenRaw = query.pagination_token ?? query.next_token;
    const token = tokenRaw ? (JSON.parse(Buffer.from(tokenRaw, 'base64url').toString()) as { until: string; offset: number }) : undefined;
    const start = query.start_time ? Date.parse(query.start_time) : undefined;
    const all = this.posts
      .filter(match)
      .filter((p) => !query.since_id || cmp(p.id, query.since_id) > 0)
      .filter((p) => start === undefined || Date.parse(p.created_at ?? '') >= start)
      .sort((a, b) => cmp(b.id, a.id));
    const until = token?.until ?? all[0]?.id;
    const pinned = until ? all.filter((p) => cmp(p.id, until) <= 0) : [];
    const offset = token?.offset ?? 0;
    const page = pinned.slice(offset, offset + max);
    served.returnedIds = page.map((p) => p.id);
    const authors = [...new Set(page.map((p) => p.author_id))].map((id) => this.users.find((u) => u.id === id)).filter((u): u is XUser => !!u);
    const meta: Record<string, unknown> = { result_count: page.length };
    if (page.length) {
      meta.newest_id = page[0].id;
      meta.oldest_id = page[page.length - 1].id;
    }
    if (offset + max < pinned.length) meta.next_token = Buffer.from(JSON.stringify({ until, offset: offset + max })).toString('base64url');
    const body: Record<string, unknown> = page.length ? { data: page, includes: { users: authors }, meta } : { meta };
    const pe = this.faults.partialErrors;
    if (pe && pe.count > 0) {
      pe.count--;
      body.errors = pe.errors;
    }
    return this.send(res, 200, body, endpoint, served);
  }
}

export async function startFakeX(fixture: { users: XUser[]; posts: XPost[] }): Promise<FakeX> {
  return new FakeX(fixture).start();
}
