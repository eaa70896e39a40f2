// Owns the learned second opinion on deflection: a logistic-regression model over a reply's words, word pairs and
// where its link sits, trained by scripts/train-deflection.ts on the labelled replies (never the test split). The
// rules decide first; the model only turns an answer-like kind into a deflecting one when it is confident.
import model from './deflection-model.json' with { type: 'json' };
import { LinearModel, type ModelFile, type ModelScore } from './linear-model.ts';
import type { ReplyKind } from '../types.ts';

/** Deflecting kinds the model can name; `truncated` stays with the rules (a cut-off is a fact, not a phrasing). */
export const MODEL_KINDS = ['link_only', 'channel_redirect', 'team_redirect'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/**
 * The kinds the model may overrule: the rules' fallbacks for a reply that names no redirect they know. A DM request,
 * callback offer, broadcast or fragment was named by a rule on purpose and stays.
 */
export const OVERRULABLE: ReadonlySet<ReplyKind> = new Set<ReplyKind>(['resolution', 'info_request', 'acknowledgement']);

/**
 * Score at or above which the model overrules the rules. Chosen on the last two blind train samples: with the rules
 * as they were before each sample was tuned on and the model trained only on what was labelled before it, 0.7 raised
 * unseen deflection F1 most on both (0.69 -> 0.72, 0.82 -> 0.87; 0.8 gave 0.71 and 0.87). docs/quality.md.
 */
export const DEFLECTION_THRESHOLD = 0.7;

interface DeflectionModelFile {
  deflection: ModelFile;
  kinds: Record<ModelKind, ModelFile>;
}

const file = model as DeflectionModelFile;
const DEFLECTION = new LinearModel(file.deflection);
const KIND_MODELS = MODEL_KINDS.map((k) => [k, new LinearModel(file.kinds[k])] as const);

const LINK_RE = /https?:\/\/\S+/g;

/**
 * How many words (runs of ASCII letters, @mentions left out) come before `end`, and the last three of them lower-cased.
 * A scan rather than replace + match: it runs on every reply that points elsewhere.
 */
function wordsBefore(text: string, end: number): { count: number; last: string[] } {
  let count = 0;
  // Start and end of the last three words, in a ring.
  const starts = [0, 0, 0];
  const ends = [0, 0, 0];
  let i = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 64 /* @ */ && i + 1 < end && isMentionChar(text.charCodeAt(i + 1))) {
      i++;
      while (i < end && isMentionChar(text.charCodeAt(i))) i++;
      continue;
    }
    if (!isLetter(c)) {
      i++;
      continue;
    }
    const start = i;
    while (i < end && isLetter(text.charCodeAt(i))) i++;
    starts[count % 3] = start;
    ends[count % 3] = i;
    count++;
  }
  const last: string[] = [];
  for (let k = Math.max(0, count - 3); k < count; k++) last.push(text.slice(starts[k % 3], ends[k % 3]).toLowerCase());
  return { count, last };
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** \w: what an @mention is made of. */
function isMentionChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Features beyond words and pairs, named as a person would read them in a reason: how many links, how much text
 * comes before the first one and after it, the last words before it, an ellipsis. Each name holds a colon, which
 * no word or word pair has, so none is confused with the words of a reply ("a link"). Shared with the training
 * script, so the model is scored on exactly what it learned from.
 */
export function linkFeatures(text: string): string[] {
  const out: string[] = [];
  LINK_RE.lastIndex = 0;
  const first = LINK_RE.exec(text);
  if (first) {
    out.push(LINK_RE.exec(text) ? 'links: two or more' : 'links: one');
    const words = wordsBefore(text, first.index);
    out.push(`words before the link: ${words.count < 5 ? 'few' : words.count < 15 ? 'some' : 'many'}`);
    const after = text.slice(first.index + first[0].length).trim();
    out.push(`after the link: ${after.length < 8 ? 'nothing' : 'text'}`);
    for (const w of words.last) out.push(`before the link: ${w}`);
  }
  if (text.includes('...') || text.includes('…')) out.push('ellipsis: yes');
  return out;
}

export interface DeflectionOpinion {
  kind: ModelKind;
  score: ModelScore;
}

/** The deflecting kind a reply most looks like, by the per-kind models (trained on deflecting replies only). */
function likelyDeflectingKind(text: string, extra: readonly string[]): ModelKind {
  let best: ModelKind = 'link_only';
  let bestScore = -1;
  for (const [k, m] of KIND_MODELS) {
    const s = m.score(text, extra).score;
    if (s > bestScore) {
      best = k;
      bestScore = s;
    }
  }
  return best;
}

/** Where the text starts after the conversation's leading "@123 @456 ". */
function afterLeadingMentions(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (text.charCodeAt(i) !== 64 /* @ */) return i;
    while (i < text.length && text.charCodeAt(i) > 32) i++;
  }
}

/**
 * Whether a reply names somewhere else to go: a link, or an account beyond the conversation's leading mentions. The
 * model only overrules the rules on such replies; without one ("we'd like to take a closer look") its confident
 * calls were as often wrong as right on the blind samples, and the rules' phrase tables already know phone numbers,
 * e-mail addresses and desks.
 */
export function pointsElsewhere(text: string): boolean {
  const from = afterLeadingMentions(text);
  return text.indexOf('http', from) >= 0 || text.indexOf('@', from) >= 0;
}

/**
 * Whether the reply is written in a script without spaces between words (Japanese, Chinese): the model's words are
 * space-separated tokens, so on such text it sees little beyond the link and its position, and on the labelled
 * train and dev replies its confident calls there were more often wrong than right (7 right, 13 wrong).
 */
export function writtenWithoutSpaces(text: string): boolean {
  let cjk = 0;
  for (let i = 0; i < text.length && cjk < 10; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff)) cjk++;
  }
  return cjk >= 10;
}

/** The model's opinion when the reply points elsewhere and the model is confident it deflects; undefined otherwise. */
export function modelDeflection(text: string): DeflectionOpinion | undefined {
  if (!pointsElsewhere(text) || writtenWithoutSpaces(text)) return undefined;
  const extra = linkFeatures(text);
  const score = DEFLECTION.score(text, extra);
  if (score.score < DEFLECTION_THRESHOLD) return undefined;
  return { kind: likelyDeflectingKind(text, extra), score };
}
