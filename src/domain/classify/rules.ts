// Owns the rule engine: a table of labelled patterns compiled once into one alternation, matched in one pass.

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
  /** Rules that do not start at a word boundary (emoji, "#VTNEW", anchors): one global regex. */
  private readonly rest: RegExp | null;
  private readonly restLabels: string[];
  /** Word-boundary rules grouped by the letter they can start with: one sticky regex per letter. */
  private readonly byChar = new Map<number, { re: RegExp; labels: string[] }>();
  private readonly anyChar: { re: RegExp; labels: string[] } | null;

  constructor(rules: readonly Rule[]) {
    for (const r of rules) {
      // Any "(" not followed by "?" (and not escaped) would add a group and shift the numbering.
      if (/(^|[^\\])\((?!\?)/.test(r.source)) throw new Error(`rule for ${r.label} has a capturing group: ${r.source}`);
    }
    // Why not one big alternation: V8 then tries every rule at every word start. Here a scan visits
    // word starts only and runs the few rules that can begin with that letter (a first-level trie).
    const bounded = rules.filter((r) => r.source.startsWith('\\b'));
    const restRules = rules.filter((r) => !r.source.startsWith('\\b'));
    const lists = new Map<number, Rule[]>();
    const loose: Rule[] = [];
    for (const r of bounded) {
      const firsts = firstChars(r.source.slice(2));
      if (!firsts) loose.push(r);
      else for (const c of firsts) lists.set(c.charCodeAt(0), [...(lists.get(c.charCodeAt(0)) ?? []), r]);
    }
    const compile = (rs: Rule[], flags: string) => ({
      re: new RegExp(rs.map((r) => `(${r.source.startsWith('\\b') ? r.source.slice(2) : r.source})`).join('|'), flags),
      labels: rs.map((r) => r.label),
    });
    // Rules whose first letter is unknown are tried at every word start, after the letter's own rules.
    for (const [c, rs] of lists) this.byChar.set(c, compile([...rs, ...loose], 'yi'));
    this.anyChar = loose.length ? compile(loose, 'yi') : null;
    const restCompiled = restRules.length ? compile(restRules, 'gi') : null;
    this.rest = restCompiled?.re ?? null;
    this.restLabels = restCompiled?.labels ?? [];
  }

  /** Every hit, left to right; hits of word-boundary rules do not overlap each other. */
  scan(text: string): Hit[] {
    const hits: Hit[] = [];
    const n = text.length;
    let prevWord = false;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
      if (!word || prevWord) {
        prevWord = word;
        continue;
      }
      if (c >= 65 && c <= 90) c += 32;
      const set = this.byChar.get(c) ?? this.anyChar;
      prevWord = true;
      if (!set) continue;
      set.re.lastIndex = i;
      const m = set.re.exec(text);
      if (!m) continue;
      pushHit(hits, m, set.labels);
      if (m[0].length > 1) {
        i += m[0].length - 1;
        const last = text.charCodeAt(i);
        prevWord = (last >= 97 && last <= 122) || (last >= 65 && last <= 90) || (last >= 48 && last <= 57) || last === 95;
      }
    }
    if (this.rest) {
      const re = this.rest;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      let added = false;
      while ((m = re.exec(text)) !== null) {
        pushHit(hits, m, this.restLabels);
        added = true;
        if (m[0].length === 0) re.lastIndex++;
      }
      if (added) hits.sort((a, b) => a.index - b.index);
    }
    return hits;
  }
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
 * The lower-case characters a regex source can start with, or null when that is not simply
 * knowable (a class, an escape, an optional first group). Handles literals, leading lookbehinds
 * and a leading non-capturing group of alternatives, which covers the rule tables.
 */
export function firstChars(src: string): Set<string> | null {
  let s = src;
  while (s.startsWith('(?<!') || s.startsWith('(?<=')) {
    const end = groupEnd(s);
    if (end < 0) return null;
    s = s.slice(end + 1);
  }
  if (!s) return null;
  const c = s[0];
  if (/[a-z0-9]/i.test(c)) {
    // "x?" or "x*" makes the first character optional.
    if (s[1] === '?' || s[1] === '*') return null;
    return new Set([c.toLowerCase()]);
  }
  if (s.startsWith('(?:')) {
    const end = groupEnd(s);
    if (end < 0 || '?*'.includes(s[end + 1] ?? '')) return null;
    const out = new Set<string>();
    for (const alt of splitTop(s.slice(3, end))) {
      const f = firstChars(alt);
      if (!f) return null;
      for (const x of f) out.add(x);
    }
    return out;
  }
  return null;
}

/** Index of the ")" closing the group that opens at 0. */
function groupEnd(s: string): number {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Top-level alternatives of a group body. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  out.push(s.slice(from));
  return out;
}

/** `label: 'matched text'`, the reason format a support lead reads. */
export function reason(label: string, matched: string): string {
  const t = matched.trim().replace(/\s+/g, ' ');
  return `${label}: '${t.length > 60 ? `${t.slice(0, 57)}...` : t}'`;
}

