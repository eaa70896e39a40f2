// Owns the brand reply decision: which kind a reply is, from the rule hits, with the reasons that decided it.
import type { PersonalityFlag, ReplyClassification, ReplyKind } from '../types.ts';
import { OVERRULABLE, modelDeflection } from './deflection-model.ts';
import { personality, signature, type NameCtx } from './personality.ts';
import { DM_FOR_MORE_RE, REPLY_RULESET, TRUNCATED_RE } from './reply-rules.ts';
import { reason, type Hit } from './rules.ts';

/** Words left once mentions, links, signature-ish tokens and punctuation are gone: "is there any real text?". */
function contentWords(text: string): number {
  let n = 0;
  let inWord = false;
  let skip = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 13 || c === 9;
    if (space) {
      inWord = false;
      skip = false;
      continue;
    }
    if (!inWord) {
      inWord = true;
      // "@123", "https://...", "^KK" do not carry an answer.
      skip = c === 64 || c === 94 || c === 42 || (c === 104 && text.startsWith('http', i));
      if (!skip && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && (c < 0xd800 || c > 0xdfff)))) n++;
    } else if (!skip && c >= 0x3000 && (c < 0xd800 || c > 0xdfff)) {
      // CJK text has no spaces: count every few characters as a word.
      if ((i & 3) === 0) n++;
    }
  }
  return n;
}

/** The "2/2" of a reply split over several tweets. */
const PART_RE = /(?:^|\s|\()\d\/\d(?:$|\s|\))/;

/** A hashtag that is not a rail-line or order code: "#TrickorTweet", "#EveryLittleHelps". */
const CAMPAIGN_TAG_RE = /#[A-Za-z][A-Za-z0-9]*[a-z][A-Za-z0-9]*/;

const PRIORITY: readonly ReplyKind[] = ['team_redirect', 'callback_offer', 'channel_redirect', 'dm_request'];

export function classifyReplyText(text: string, ctx?: NameCtx): ReplyClassification {
  const reasons: string[] = [];
  const personalityFlags: ('signed' | 'uses_name' | 'empathy')[] = [];
  const sig = signature(text);
  const kind = overruled(text, decideKind(text, reasons, sig), reasons);
  personality(text, ctx, personalityFlags, reasons, sig);
  return { kind, personality: personalityFlags as PersonalityFlag[], reasons };
}

/**
 * The rules' kind, or the deflection model's when the rules fell back to an answer-like kind and the model is
 * confident the reply deflects: unseen replies phrase their redirects in ways no rule lists yet. The reason keeps
 * what the rules said, so a person can weigh both.
 */
function overruled(text: string, kind: ReplyKind, reasons: string[]): ReplyKind {
  if (!OVERRULABLE.has(kind)) return kind;
  const m = modelDeflection(text);
  if (!m) return kind;
  reasons.push(`${m.kind}: the deflection model scores it ${m.score.score.toFixed(2)} (strongest: ${m.score.top}), over the rules' ${kind}`);
  return m.kind;
}

function decideKind(text: string, reasons: string[], sig: string | null): ReplyKind {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('@')) {
    reasons.push("broadcast: no customer mention at the start");
    return 'broadcast';
  }
  const hits = REPLY_RULESET.scan(text);
  const bc = firstOf(hits, 'broadcast');
  if (bc) {
    reasons.push(reason('broadcast', bc.text));
    return 'broadcast';
  }
  // Most replies have no ellipsis, which the regex needs: two substring searches cost less than a call of it.
  const trunc = text.includes('…') || text.includes('...') ? TRUNCATED_RE.exec(text) : null;
  // Cut off means some text came before the ellipsis: "@1 ...<link> 2/2" is the tail of a thread, not a cut reply.
  if (trunc && contentWords(text.slice(0, trunc.index)) > 0) {
    reasons.push(reason('truncated', trunc[0]));
    return 'truncated';
  }

  const fallback = firstOf(hits, 'fallback');
  const res = firstOf(hits, 'resolution');
  const pointer = firstOf(hits, 'pointer');
  for (const kind of PRIORITY) {
    const h = firstNonFallback(hits, kind, fallback);
    if (!h) continue;
    if (kind === 'dm_request') {
      // Self-help link first, a DM only for what it leaves open: the guide calls that link_only.
      const more = pointer && pointer.index < h.index ? DM_FOR_MORE_RE.exec(sentenceAround(text, h.index)) : null;
      if (pointer && more) {
        reasons.push(reason('link_only', pointer.text), reason('fallback', `${h.text} … ${more[0]}`));
        return 'link_only';
      }
    }
    reasons.push(reason(kind, h.text));
    return kind;
  }
  // A redirect offered only as a fallback after a concrete answer does not make the reply a deflection.
  if (fallback && res && res.index < fallback.index && !(pointer && pointer.index < res.index)) {
    reasons.push(reason('resolution', res.text), reason('fallback', fallback.text));
    return 'resolution';
  }

  const ask = firstOf(hits, 'ask');
  // Link before a request for details, as the guide orders them: "Which device? Try: <link>" is link_only.
  if (pointer && !res) {
    reasons.push(reason('link_only', pointer.text));
    return 'link_only';
  }
  if (ask) {
    reasons.push(reason('info_request', ask.text));
    return 'info_request';
  }
  if (res) {
    reasons.push(reason('resolution', res.text));
    return 'resolution';
  }
  // Links only after the agent's sign-off ("Woohoo! ^MA <link>") are an attached picture or GIF, which X appends to
  // the text as a link: no pointer to help.
  const onlyMedia = sig !== null && !text.slice(0, text.lastIndexOf(sig)).includes('http');
  const hasLink = !onlyMedia && text.includes('http');
  const words = contentWords(text);
  // "@1 2/2 <link>": the tail of a split reply with no words of its own is a fragment, not a pointer to help.
  if (words === 0 && PART_RE.test(text)) {
    reasons.push('other: a continuation (n/n) with no text of its own');
    return 'other';
  }
  // A link, a campaign hashtag and nothing a support reply says: marketing sent in reply to a customer.
  const campaign = hasLink && !firstOf(hits, 'acknowledgement') ? CAMPAIGN_TAG_RE.exec(text) : null;
  if (campaign && words < 20) {
    reasons.push(`other: a link with a campaign hashtag (${campaign[0]}) and no support content`);
    return 'other';
  }
  if (hasLink && words <= 8) {
    reasons.push('link_only: a link with little text around it');
    return 'link_only';
  }
  const ack = firstOf(hits, 'closing') ?? firstOf(hits, 'acknowledgement');
  if (ack && words < 30) {
    reasons.push(reason('acknowledgement', ack.text));
    return 'acknowledgement';
  }
  if (hasLink && !ack && words < 12) {
    reasons.push('link_only: a link and no recognised answer');
    return 'link_only';
  }
  // Statements with no cue at all are mostly answers ("Online ordering is turned off.");
  // short ones are mostly chit-chat ("Go Pack go! Nicely done.").
  if (words >= 7) {
    reasons.push(`resolution: a statement of ${words} words with no redirect or request`);
    return 'resolution';
  }
  if (ack) {
    reasons.push(reason('acknowledgement', ack.text));
    return 'acknowledgement';
  }
  if (words > 0) {
    reasons.push('acknowledgement: a short remark with no action');
    return 'acknowledgement';
  }
  reasons.push('other: no rule matched');
  return 'other';
}

/** The stretch of `text` around position `at` between sentence marks (. ! ? and line breaks; a link's dots count too). */
function sentenceAround(text: string, at: number): string {
  let start = at;
  while (start > 0 && !/[.!?\n]/.test(text[start - 1]!)) start--;
  let end = at;
  while (end < text.length && !/[.!?\n]/.test(text[end]!)) end++;
  return text.slice(start, end);
}

/** First hit of `label`: a reply has a handful of hits, so a scan per label costs less than a Map per reply. */
function firstOf(hits: Hit[], label: string): Hit | undefined {
  for (const h of hits) if (h.label === label) return h;
  return undefined;
}

/** First hit of `kind` that is not inside a fallback clause ("if that doesn't help, call us"). */
function firstNonFallback(hits: Hit[], kind: string, fallback: Hit | undefined): Hit | undefined {
  for (const h of hits) {
    if (h.label !== kind) continue;
    // The fallback clause this hit sits in: the nearest one before it ("If you're still stuck, try a reboot. If no
    // change, call us" — the reboot comes before the second clause, which is the one the call belongs to).
    let f: Hit | undefined;
    if (fallback) for (const x of hits) if (x.label === 'fallback' && x.index < h.index) f = x;
    if (f && h.index - f.index < 200) {
      // An answer, a link or a DM request before the fallback is the reply's main action.
      const at = f.index;
      const between = hits.some((x) => (x.label === 'resolution' || x.label === 'pointer' || (x.label === 'dm_request' && kind !== 'dm_request')) && x.index < at);
      if (between) continue;
    }
    return h;
  }
  return undefined;
}
