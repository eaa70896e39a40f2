// A real HTTP receiver on 127.0.0.1 standing in for Slack incoming webhooks and generic webhook endpoints.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
  deliveryId: string | undefined;
}

/** `delayMs` answers that much later (a slow receiver); 'hang' never answers. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang';

export class FakeReceiver {
  readonly requests: Received[] = [];
  /** Decides each answer; default 200 "ok" (what Slack says). */
  respond: (req: Received, index: number) => Reply = () => ({ status: 200, body: 'ok' });
  private server?: http.Server;
  private port = 0;
  private waiters: Array<() => void> = [];
  private hanging: http.ServerResponse[] = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const rec: Received = { path: req.url ?? '/', headers: req.headers, body, json, at: Date.now(), deliveryId: req.headers['x-replywatch-delivery'] as string | undefined };
        this.requests.push(rec);
        const reply = this.respond(rec, this.requests.length - 1);
        this.notify();
        if (reply === 'hang') {
          this.hanging.push(res);
          return;
        }
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
          res.end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    // Same port on restart, so the configured URL keeps working after an "outage".
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Goes down: refuses connections until start() is called again. */
  async stop(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    if (!this.server) return;
    const s = this.server;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Delivery ids seen, once each (what a deduplicating receiver keeps). */
  uniqueDeliveryIds(): Set<string> {
    return new Set(this.requests.map((r) => r.deliveryId).filter((x): x is string => !!x));
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `predicate` holds for the requests so far. */
  async waitFor(predicate: (reqs: Received[]) => boolean, timeoutMs = 25_000, what = 'requests'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.requests)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: timed out waiting for ${what}; got ${this.requests.length} requests`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export async function startReceiver(): Promise<FakeReceiver> {
  return new FakeReceiver().start();
}
