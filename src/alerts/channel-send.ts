// Owns sending one message to one channel (console, Slack incoming webhook, signed webhook) and classifying the outcome.
//
// Slack goes through our own http-post rather than @slack/webhook: that client (axios) has no response-size cap,
// its errors carry the full webhook URL (a secret) into logs, and we need the same address-checked, no-redirect
// transport for Slack and generic webhooks. Retry-After and retries are ours (deliveries table), not the client's.
import type { ChannelConfig, Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { PrivateAddressError } from './address-guard.ts';
import { parseRetryAfter } from './backoff.ts';
import { postJson } from './http-post.ts';
import { alertJson, slackAlertMessage, slackDigestMessage, webhookAlertBody, webhookDigestBody, type AlertView, type DigestInfo } from './message.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, sign } from './signature.ts';

export type Outgoing = { type: 'alert'; deliveryId: string; alert: AlertView } | { type: 'digest'; digest: DigestInfo; alerts: AlertView[] };

export type SendResult =
  | { ok: true; status?: number }
  | { ok: false; permanent: boolean; retryAfterMs?: number; status?: number; error: string; code: string };

export interface SendContext {
  publicUrl: string;
  delivery: Config['delivery'];
  log: Logger;
  now: Date;
}

export function channelHost(channel: ChannelConfig): string {
  if (channel.type === 'console') return 'console';
  try {
    return new URL(channel.url).host;
  } catch {
    return '(invalid url)';
  }
}

const GONE_STATUSES = new Set([401, 403, 404, 410]);

function idOf(msg: Outgoing): string {
  return msg.type === 'alert' ? msg.deliveryId : msg.digest.id;
}

export async function sendToChannel(channel: ChannelConfig, msg: Outgoing, ctx: SendContext): Promise<SendResult> {
  const deliveryId = idOf(msg);
  if (channel.type === 'console') {
    const fields =
      msg.type === 'alert'
        ? { channel: channel.name, deliveryId, alert: alertJson(msg.alert, ctx.publicUrl) }
        : { channel: channel.name, deliveryId, digest: { reason: msg.digest.reason, count: msg.alerts.length }, alerts: msg.alerts.map((a) => alertJson(a, ctx.publicUrl)) };
    ctx.log.info(fields, msg.type === 'alert' ? `alert: ${msg.alert.title}` : `alert digest: ${msg.alerts.length} alerts`);
    return { ok: true };
  }
  let body: string;
  const headers: Record<string, string> = { [DELIVERY_HEADER]: deliveryId };
  if (channel.type === 'slack') {
    body = JSON.stringify(msg.type === 'alert' ? slackAlertMessage(msg.alert, ctx.publicUrl) : slackDigestMessage(msg.digest, msg.alerts, ctx.publicUrl));
  } else {
    body = msg.type === 'alert' ? webhookAlertBody(deliveryId, msg.alert, ctx.publicUrl, ctx.now) : webhookDigestBody(msg.digest, msg.alerts, ctx.publicUrl, ctx.now);
    headers[SIGNATURE_HEADER] = sign(channel.secret, body, ctx.now);
  }
  try {
    const res = await postJson(channel.url, body, headers, { allowPrivateNetworks: ctx.delivery.allowPrivateNetworks, timeoutMs: ctx.delivery.timeoutMs });
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const snippet = res.body.slice(0, 200).replace(/\s+/g, ' ');
    if (res.status === 429) {
      return { ok: false, permanent: false, status: 429, retryAfterMs: parseRetryAfter(res.headers['retry-after'], ctx.now), error: `rate limited by ${channelHost(channel)}`, code: 'RATE_LIMITED' };
    }
    if (res.status >= 300 && res.status < 400) {
      return { ok: false, permanent: true, status: res.status, error: `${channelHost(channel)} answered ${res.status} (a redirect); redirects are not followed, configure the final URL`, code: 'REDIRECT_REFUSED' };
    }
    const retryable = res.status >= 500 || res.status === 408 || res.status === 425;
    // A 503 may say how long the outage lasts; the channel pause follows it like a 429's.
    const retryAfterMs = res.status === 503 ? parseRetryAfter(res.headers['retry-after'], ctx.now) : undefined;
    // What a support lead sees in `alerts dead`: these mean the URL itself no longer works, not this one message.
    const hint = GONE_STATUSES.has(res.status) ? `; the URL was refused (${channel.type === 'slack' ? 'Slack webhook removed or its channel archived?' : 'revoked or moved?'}): fix the channel's URL, then \`replywatch alerts retry --dead\`` : '';
    return { ok: false, permanent: !retryable, status: res.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `${channelHost(channel)} answered ${res.status}${snippet ? `: ${snippet}` : ''}${hint}`, code: 'HTTP_' + res.status };
  } catch (err) {
    if (err instanceof PrivateAddressError) return { ok: false, permanent: true, error: err.message, code: err.code };
    const e = err as Error & { code?: string };
    return { ok: false, permanent: false, error: e.message, code: e.code ?? 'DELIVERY_FAILED' };
  }
}
