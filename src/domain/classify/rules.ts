// Owns the rule engine: a table of labelled patterns compiled once into one alternation, matched in one pass.
import { firstChars, openings, splitTop } from './rule-prefixes.ts';

/** One rule: a label (the kind or flag it votes for) and a regex source without capturing groups. */
export interface Rule {
  label: string;
  source: string;
}

export interface Hit {
  label: string;
  text: string;
  index: number;
}

/**
 * Compiled rule set, matched in one pass over the text. Rules are compiled once into alternations
 * `(a)|(b)|...`; the capturing group that matched tells which rule fired. Rule sources must not
 * contain capturing groups of their own (use `(?:...)`), or the group numbering breaks.
 */
export class RuleSet {
  /** Rules that do not start at a word boundary (emoji, "#VTNEW", anchors): one global regex over the whole text. */
  private readonly rest: Compiled | null;
  /**
   * Of those, the rules anchored at the start of the text ("^@\w+ yes"), sticky, and all rest rules sticky. V8 cannot
   * tell that "^(?:@\w+\s+)*(?:how|what|...)" only matches at 0 and tries it wherever the text has one of its
   * letters, which made the global regex cost several times the word-start scan; so anchored rules run once, at 0.
   */
  private readonly anchored: Compiled | null;
  private readonly atStart: Compiled | null;
  private readonly rules: readonly Rule[];
  /** Word-boundary rules (indexes) by the letter they can start with, and those whose first letter is unknown. */
  private readonly byChar = new Map<number, number[]>();
  private readonly loose: number[] = [];
  /**
   * The rules' four-character openings (rule-prefixes.ts) as a trie: `ends` lists the rules an opening of which ends at
   * a node. A rule can open where the text starts with one of its openings, i.e. where some node on the text's path
   * lists it. Deciding a new word opening this way costs a walk of four nodes; testing every opening of every rule cost
   * more than the rest of the scan on files with many new openings (numbers, names). Eight-character openings (a
   * second lookup on the next four characters) halved the regex calls per reply (9.1 to 4.9) but not the CPU time:
   * the extra lookup cost what the failed calls had.
   */
  private readonly openingRoot: OpeningNode = { next: new Map(), ends: [] };
  /** Per rule: seen on the current path (scratch for bucket()). */
  private readonly seen: Uint8Array;
  /**
   * (first four characters) -> the alternation of the rules that can open there, or null when none can: an
   * open-addressing table of typed arrays (key -> index into `alternations`, 0 for null); a Map lookup per word
   * start cost more than the scan around it.
   */
  private slotKeys = new Int32Array(1 << 15).fill(-1);
  private slotVals = new Int32Array(1 << 15);
  private slotShift = 32 - 15;
  private slotCount = 0;
  private readonly alternations: (Compiled | null)[] = [null];
  private readonly compiled = new Map<string, Compiled>();

  constructor(rules: readonly Rule[]) {
    for (const r of rules) {
      // Any "(" not followed by "?" (and not escaped) would add a group and shift the numbering.
      if (/(^|[^\\])\((?!\?)/.test(r.source)) throw new Error(`rule for ${r.label} has a capturing group: ${r.source}`);
    }
    this.rules = rules;
    // Why not one big alternation: V8 then tries every rule at every word start. Here a scan visits word starts only
    // and runs the few rules that can begin with that word's first four characters (a four-level trie); a word start no
    // rule can open at costs no regex call at all. The alternation keeps the order of the first-letter scheme
    // (that letter's rules in table order, then rules of unknown first letter), so the hit at a place is unchanged:
    // only rules that cannot match there are left out.
    const restRules: Rule[] = [];
    this.seen = new Uint8Array(rules.length);
    rules.forEach((r, i) => {
      if (!r.source.startsWith('\\b')) {
        restRules.push(r);
        return;
      }
      for (const o of openings(r.source.slice(2), 4)) {
        let at = this.openingRoot;
        for (let k = 0; k < o.length; k++) {
          const c = o.charCodeAt(k);
          let child = at.next.get(c);
          if (!child) at.next.set(c, (child = { next: new Map(), ends: [] }));
          at = child;
        }
        if (!at.ends.includes(i)) at.ends.push(i);
      }
      const firsts = firstChars(r.source.slice(2));
      if (!firsts) this.loose.push(i);
      else for (const c of firsts) this.byChar.set(c.charCodeAt(0), [...(this.byChar.get(c.charCodeAt(0)) ?? []), i]);
    });
    // A rule is anchored when every top-level alternative starts with "^" (no m flag): it cannot match past 0.
    const isAnchored = (r: Rule): boolean => splitTop(r.source).every((alt) => alt.startsWith('^'));
    const anchoredRules = restRules.filter(isAnchored);
    const floatingRules = restRules.filter((r) => !isAnchored(r));
    this.rest = floatingRules.length ? compile(floatingRules, 'gi') : null;
    this.anchored = anchoredRules.length ? compile(anchoredRules, 'yi') : null;
    this.atStart = anchoredRules.length ? compile(restRules, 'yi') : null;
  }

  /**
   * The alternation to try where a word opens with c1..c4 (lower-cased; -1 past the end of the text, 128 for any
   * non-ASCII character: ASCII and non-ASCII never fold onto each other, so no rule tells those apart). The key stays
   * a small integer.
   */
  private bucket(c1: number, c2: number, c3: number, c4: number): Compiled | null {
    const key = ((c1 * 130 + c2 + 1) * 130 + c3 + 1) * 130 + c4 + 1;
    const keys = this.slotKeys;
    const mask = keys.length - 1;
    for (let j = Math.imul(key, 0x9e3779b1) >>> this.slotShift; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === key) return this.alternations[this.slotVals[j]!]!;
      if (k === -1) break;
    }
    return this.firstSeen(key, c1, c2, c3, c4);
  }

  /** bucket() for an opening not seen before: kept out of it so that the lookup stays small enough to inline. */
  private firstSeen(key: number, c1: number, c2: number, c3: number, c4: number): Compiled | null {
    const seen = this.seen;
    seen.fill(0);
    let at: OpeningNode | undefined = this.openingRoot;
    for (let k = 0; at; k++) {
      for (const i of at.ends) seen[i] = 1;
      const c = k === 0 ? c1 : k === 1 ? c2 : k === 2 ? c3 : k === 3 ? c4 : -1;
      at = c < 0 ? undefined : at.next.get(c);
    }
    const idx = [...(this.byChar.get(c1) ?? []), ...this.loose].filter((i) => seen[i] === 1);
    let b: Compiled | null = null;
    let v = 0;
    if (idx.length) {
      const id = idx.join(',');
      b = this.compiled.get(id) ?? compile(idx.map((i) => this.rules[i]!), 'yi');
      if (!this.compiled.has(id)) {
        this.compiled.set(id, b);
        this.alternations.push(b);
        b.slot = this.alternations.length - 1;
      }
      v = b.slot!;
    }
    this.remember(key, v);
    return b;
  }

  /** Caches a word opening's alternation; one entry per opening seen (some tens of thousands), capped at 2^19. */
  private remember(key: number, v: number): void {
    if (this.slotCount * 2 >= this.slotKeys.length) {
      if (this.slotKeys.length >= 1 << 20) return;
      const oldKeys = this.slotKeys;
      const oldVals = this.slotVals;
      this.slotKeys = new Int32Array(oldKeys.length * 2).fill(-1);
      this.slotVals = new Int32Array(oldKeys.length * 2);
      this.slotShift--;
      this.slotCount = 0;
      for (let j = 0; j < oldKeys.length; j++) if (oldKeys[j]! !== -1) this.remember(oldKeys[j]!, oldVals[j]!);
    }
    const keys = this.slotKeys;
    const mask = keys.length - 1;
    let j = Math.imul(key, 0x9e3779b1) >>> this.slotShift;
    while (keys[j]! !== -1) j = (j + 1) & mask;
    keys[j] = key;
    this.slotVals[j] = v;
    this.slotCount++;
  }

  /**
   * Every hit, left to right; hits of word-boundary rules do not overlap each other. `lower` is `text.toLowerCase()`
   * when the caller has it for a model anyway: the scan then reads the characters there, since a fresh string is
   * cheaper to read than a slice of a larger one (what a CSV parser hands out). The regexes still run on `text`, so
   * the hits are the same.
   */
  scan(text: string, lower?: string): Hit[] {
    const hits: Hit[] = [];
    const n = text.length;
    // Lower case lines up with the text, ASCII with ASCII, but for 'İ' (two characters) and the Kelvin sign (a 'k').
    const src = lower !== undefined && lower.length === n && !text.includes('\u212a') ? lower : text;
    let prevWord = false;
    for (let i = 0; i < n; i++) {
      const c = src.charCodeAt(i);
      // A table read rather than four range tests: this line runs for every character of every tweet.
      if (c > 127 || WORD_CHAR[c] === 0) {
        prevWord = false;
        continue;
      }
      if (prevWord) continue;
      prevWord = true;
      const set =
        i + 3 < n
          ? this.bucket(folded(c), folded(src.charCodeAt(i + 1)), folded(src.charCodeAt(i + 2)), folded(src.charCodeAt(i + 3)))
          : this.bucket(folded(c), i + 1 < n ? folded(src.charCodeAt(i + 1)) : -1, i + 2 < n ? folded(src.charCodeAt(i + 2)) : -1, -1);
      if (!set) continue;
      set.re.lastIndex = i;
      const m = set.re.exec(text);
      if (!m) continue;
      pushHit(hits, m, set.labels);
      if (m[0].length > 1) {
        i += m[0].length - 1;
        const last = src.charCodeAt(i);
        prevWord = last <= 127 && WORD_CHAR[last] === 1;
      }
    }
    const added = this.scanRest(text, hits);
    if (added) hits.sort((a, b) => a.index - b.index);
    return hits;
  }

  /**
   * Hits of the rest rules, as one global regex of them all in table order would find them: whatever matches at 0
   * (where an anchored rule, if one matches, competes with the others in table order), then the floating rules from
   * the end of that match.
   */
  private scanRest(text: string, hits: Hit[]): boolean {
    let added = false;
    let from = 0;
    if (this.anchored) {
      this.anchored.re.lastIndex = 0;
      if (this.anchored.re.test(text)) {
        const re = this.atStart!.re;
        re.lastIndex = 0;
        const m = re.exec(text)!;
        pushHit(hits, m, this.atStart!.labels);
        added = true;
        // A global regex steps past an empty match.
        from = m[0].length || 1;
      }
    }
    if (this.rest) {
      const re = this.rest.re;
      re.lastIndex = from;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        pushHit(hits, m, this.rest.labels);
        added = true;
        if (m[0].length === 0) re.lastIndex++;
      }
    }
    return added;
  }
}

/** 1 for the ASCII characters of \w, the ones a word is made of for the word-start scan. */
const WORD_CHAR = Uint8Array.from({ length: 128 }, (_, c) => (/\w/.test(String.fromCharCode(c)) ? 1 : 0));

/** ASCII lower-cased, by code. */
const ASCII_LOWER = Int16Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

/** A character as the opening trie keys it: ASCII lower-cased, any non-ASCII character 128. */
function folded(c: number): number {
  return c > 127 ? 128 : ASCII_LOWER[c]!;
}

interface OpeningNode {
  next: Map<number, OpeningNode>;
  ends: number[];
}

interface Compiled {
  re: RegExp;
  labels: string[];
  /** Index in RuleSet.alternations. */
  slot?: number;
}

function compile(rs: readonly Rule[], flags: string): Compiled {
  return {
    re: new RegExp(rs.map((r) => `(${r.source.startsWith('\\b') ? r.source.slice(2) : r.source})`).join('|'), flags),
    labels: rs.map((r) => r.label),
  };
}

function pushHit(hits: Hit[], m: RegExpExecArray, labels: string[]): void {
  for (let g = 1; g <= labels.length; g++) {
    if (m[g] !== undefined) {
      hits.push({ label: labels[g - 1], text: m[g], index: m.index });
      return;
    }
  }
}

/**
 * True when trim() and collapsing whitespace would leave `s` as it is: no whitespace but single inner spaces. Most
 * matches are like that, and the check costs less than the regex replace. Non-ASCII characters (some are \s) and
 * control characters send the text the long way.
 */
function isTidy(s: string): boolean {
  const n = s.length;
  if (n === 0 || s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) return n === 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 126 || c < 32 || (c === 32 && s.charCodeAt(i + 1) === 32)) return false;
  }
  return true;
}

/** `label: 'matched text'`, the reason format a support lead reads. */
export function reason(label: string, matched: string): string {
  const t = isTidy(matched) ? matched : matched.trim().replace(/\s+/g, ' ');
  return `${label}: '${t.length > 60 ? `${t.slice(0, 57)}...` : t}'`;
}

