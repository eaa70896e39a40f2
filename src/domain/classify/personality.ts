// Owns the reply personality cues: agent signature, use of the customer's name, empathy.
import { reason } from './rules.ts';

/**
 * An agent sign-off at the end of the reply, before any trailing links or "2/2":
 * "^CL", "^ LS", "*JohnWard", "-Claire", "- Brian", "--JV", "/RA", "~Tabby", "Regards, Neha L".
 * The sign-off follows the start of the text or one of [\s.!?)😊🙂:]. As one regex, (?:^|[...]) made V8 try every
 * position of the text; SIGNATURE_AT_START then SIGNATURE_AFTER finds the same (leftmost) match, since ^ can only
 * match at 0, where it comes first.
 */
const SIGNATURE =
  String.raw`((?:\^\s?[A-Za-z]{1,12}|\*[A-Z][A-Za-z]{1,20}|-{1,2}\s?[A-Z][a-zA-Z]{1,15}(?: [A-Z]\.?)?|[~–—]\s?[A-Z][a-zA-Z]{1,15}|\/[A-Z]{2,3}|(?:regards|thanks|cheers),? [A-Z][a-z]{1,15}(?: [A-Z]\.?)?))\s*(?:\d\/\d\s*)?(?:https?:\/\/\S+\s*)*(?:\d\/\d)?\s*$`;
const SIGNATURE_AT_START = new RegExp(`^${SIGNATURE}`);
const SIGNATURE_AFTER = new RegExp(`[\\s.!?)😊🙂:]${SIGNATURE}`);

/** Greeting or closing with a capitalised word after it: "Hi Dale,", "Hey Mike!", "Sorry, Perla.", "..., Ben." */
const NAME_GREETING_RE =
  /\b(?:[Hh]i|[Hh]ey|[Hh]ello|[Dd]ear|[Mm]orning|[Ee]vening|[Aa]fternoon|[Tt]hanks|[Tt]hank you|[Ss]orry|[Ww]elcome|[Hh]iya|[Hh]owdy|[Aa]hoy)[,!]?\s+([A-Z][a-z]{1,15})\b(?!['’]s)|,\s([A-Z][a-z]{1,15})[.!?](?:\s|$)/;

/** "@123 Eric, can you..." — the name first, straight after the mention. */
const NAME_LEAD_RE = /^(?:@\w+\s+)+([A-Z][a-z]{1,15}),\s/;
/** A capitalised word closing a clause after a lower-case word: "sorry about this Anna.", "back to us Michelle." */
const NAME_TAIL_RE = /\b(?:this|us|you|that|it|there|again|today|now|thanks|soon|is)\s([A-Z][a-z]{2,15})[.!?,]/;
/** What every NAME_TAIL_RE match contains; far cheaper to search for, and most replies have none. */
const NAME_TAIL_HINT = /\s[A-Z][a-z]{2,15}[.!?,]/;

const NOT_NAMES = new Set([
  'There', 'Team', 'Folks', 'All', 'Everyone', 'Again', 'Friend', 'Guys', 'Again', 'For', 'So', 'We', 'Our', 'You', 'Your',
  'The', 'This', 'That', 'It', 'Please', 'Thanks', 'Thank', 'Sorry', 'Hi', 'Hey', 'Hello', 'Yes', 'No', 'Ok', 'Okay', 'Just',
  'Too', 'Though', 'Today', 'Tonight', 'Tomorrow', 'Soon', 'Now', 'Anytime', 'Always', 'Indeed', 'Sir', 'Madam', 'Ma',
  'Amazon', 'Apple', 'Twitter', 'Prime', 'Xbox', 'Spotify', 'Uber', 'Hulu', 'Delta', 'Tesco', 'Monday', 'Tuesday',
  'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'Morning', 'Evening', 'Afternoon', 'Buddy', 'Pal', 'Mate',
]);

const EMPATHY_RE =
  /\b(?:sorry|apologi[sz]e|apologies|our apologies|understand (?:how|your|the|that|why)|(?:totally|completely|definitely) understand|frustrat\w*|oh no|not (?:the experience|what we (?:want|like))|hate (?:to hear|that|hearing)|(?:concerning|upsetting|disappointing)|inconvenience|we know how (?:important|essential|frustrating|annoying)|regret|that's not (?:cool|ok|okay|good|right|great)|we hear you|bummer|yikes)\b/i;

export interface NameCtx {
  customerName?: string;
  customerUsername?: string;
}

export function signature(text: string): string | null {
  // Signatures sit at the end: matching on the tail keeps an end-anchored regex from scanning the whole text.
  const tail = text.length > 120 ? text.slice(-120) : text;
  const m = SIGNATURE_AT_START.exec(tail) ?? SIGNATURE_AFTER.exec(tail);
  return m ? m[1]! : null;
}

/** The customer's name as used in the reply, or null. With a known name we look for it; otherwise a greeting heuristic. */
export function usedName(text: string, ctx?: NameCtx): string | null {
  const first = ctx?.customerName?.trim().split(/\s+/)[0];
  if (first && first.length >= 2) {
    const i = text.toLowerCase().indexOf(first.toLowerCase());
    if (i >= 0) {
      const before = i === 0 ? ' ' : text[i - 1];
      const after = text[i + first.length] ?? ' ';
      if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return text.slice(i, i + first.length);
    }
    return null;
  }
  const m = NAME_GREETING_RE.exec(text) ?? NAME_LEAD_RE.exec(text) ?? (NAME_TAIL_HINT.test(text) ? NAME_TAIL_RE.exec(text) : null);
  if (!m) return null;
  const name = m[1] ?? m[2];
  return NOT_NAMES.has(name) ? null : m[0];
}

export function empathy(text: string): string | null {
  const m = EMPATHY_RE.exec(text);
  return m ? m[0] : null;
}

/** Personality flags with their reasons; `canned` needs history and comes from CannedDetector. */
export function personality(
  text: string,
  ctx: NameCtx | undefined,
  flags: ('signed' | 'uses_name' | 'empathy')[],
  reasons: string[],
  sig: string | null = signature(text),
): void {
  if (sig) {
    flags.push('signed');
    reasons.push(reason('signed', sig));
  }
  const name = usedName(text, ctx);
  if (name) {
    flags.push('uses_name');
    reasons.push(reason('uses_name', name));
  }
  const emp = empathy(text);
  if (emp) {
    flags.push('empathy');
    reasons.push(reason('empathy', emp));
  }
}
