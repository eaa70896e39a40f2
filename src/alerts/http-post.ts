// Owns the one outbound HTTP call of the notifier: POST with a checked address, no redirects, a timeout and a capped body.
import http from 'node:http';
import https from 'node:https';
import { checkLiteralHost, guardedLookup, PrivateAddressError } from './address-guard.ts';

export interface PostOptions {
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  /** Bytes of the response body kept; the rest is not read. */
  maxBodyBytes?: number;
}

export interface PostResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A failed send that never got an HTTP answer. The message names the host only, never the URL (it holds the secret). */
export class DeliveryTransportError extends Error {
  readonly code = 'DELIVERY_TRANSPORT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryTransportError';
  }
}

export async function postJson(rawUrl: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult> {
  const url = new URL(rawUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DeliveryTransportError(`unsupported protocol ${url.protocol} for ${url.host}`);
  checkLiteralHost(url, opts.allowPrivateNetworks);
  const cap = opts.maxBodyBytes ?? 64 * 1024;
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'replywatch-notifier', ...headers },
        lookup: guardedLookup(opts.allowPrivateNetworks),
        // A fresh connection per send: a pooled socket would skip the address check.
        agent: false,
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= cap) return;
          chunks.push(chunk.subarray(0, cap - size));
          size += Math.min(chunk.length, cap - size);
          // Enough read: the status is what matters, an endless body must not hold the worker.
          if (size >= cap) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => done());
      },
    );
    req.on('timeout', () => req.destroy(new DeliveryTransportError(`no answer from ${url.host} within ${opts.timeoutMs} ms`)));
    req.on('error', (err) => {
      if (err instanceof PrivateAddressError || err instanceof DeliveryTransportError) return reject(err);
      reject(new DeliveryTransportError(`cannot reach ${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
    });
    req.end(body);
  });
}
