// Owns the static analysis of rule regex sources: which few-character openings a rule can match at all.

/**
 * Lower-case openings of up to `k` characters that text matched by `src` (a case-insensitive regex source without
 * capturing groups) can start with. An opening shorter than `k` means "anything may follow"; '' means "anything at
 * all". Always a superset of the truth: whatever the analysis cannot follow (classes, escapes such as \s, repeats,
 * non-ASCII letters, whose case folding is not plain ASCII) widens to "anything".
 */
export function openings(src: string, k: number): Set<string> {
  const out = new Set<string>();
  for (const alt of splitTop(src)) for (const p of sequence(alt, k)) out.add(p);
  return out;
}

const ANY = new Set(['']);
/** Stands for every non-ASCII character: ASCII and non-ASCII never fold onto each other without the u flag. */
export const NON_ASCII = '\x80';

function fold(ch: string): string {
  return ch.charCodeAt(0) > 127 ? NON_ASCII : ch.toLowerCase();
}

/** The characters a simple class such as [-. ] or [0-8] matches (folded), or null when it is not simple. */
function classChars(body: string): Set<string> | null {
  if (body.startsWith('^')) return null;
  const out = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    let c = body[i]!;
    if (c === '\\') {
      const d = body[++i] ?? '';
      if (d === 'd') {
        for (let x = 48; x <= 57; x++) out.add(String.fromCharCode(x));
        continue;
      }
      if (/[A-Za-z0-9]/.test(d)) return null;
      c = d;
    } else if (body[i + 1] === '-' && i + 2 < body.length) {
      const from = c.charCodeAt(0);
      const to = body.charCodeAt(i + 2);
      if (to > 127 || to - from > 64 || to < from) return null;
      for (let x = from; x <= to; x++) out.add(fold(String.fromCharCode(x)));
      i += 2;
      continue;
    }
    out.add(fold(c));
  }
  return out;
}

/** End of a `{n,m}` quantifier at `i`, and whether it requires at least one repeat. */
function braces(s: string, i: number): { end: number; atLeastOne: boolean } | null {
  const m = /^\{(\d+)(?:,\d*)?\}/.exec(s.slice(i));
  return m ? { end: i + m[0].length, atLeastOne: Number(m[1]) >= 1 } : null;
}

function sequence(s: string, k: number): Set<string> {
  if (k === 0 || s === '') return ANY;
  if (s.startsWith('(?<!') || s.startsWith('(?<=') || s.startsWith('(?=') || s.startsWith('(?!')) {
    // Zero-width: skipping it only widens the set.
    const end = groupEnd(s);
    return end < 0 ? ANY : openings(s.slice(end + 1), k);
  }
  // One atom: a group of alternatives, or a set of single characters.
  let alts: string[] | null = null;
  let chars: Set<string> | null = null;
  let len: number;
  if (s.startsWith('(?:')) {
    const end = groupEnd(s);
    if (end < 0) return ANY;
    alts = splitTop(s.slice(3, end));
    len = end + 1;
  } else {
    const c = s[0]!;
    if (c === '^') return openings(s.slice(1), k);
    if (c === '\\') {
      const d = s[1] ?? '';
      if (d === 'b' || d === 'B') return openings(s.slice(2), k);
      if (d === 'd') chars = classChars('\\d');
      else if (/[A-Za-z0-9]/.test(d)) return ANY; // \s \w \u... and back-references
      else chars = new Set([fold(d)]);
      len = 2;
    } else if (c === '[') {
      let end = 1;
      while (end < s.length && s[end] !== ']') end += s[end] === '\\' ? 2 : 1;
      chars = classChars(s.slice(1, end));
      if (!chars) return ANY;
      len = end + 1;
    } else if ('.($|)*+?{'.includes(c)) return ANY;
    else {
      chars = new Set([fold(c)]);
      len = 1;
    }
  }
  const q = s[len] ?? '';
  const atom = (rest: string, kk: number): Set<string> => {
    const out = new Set<string>();
    if (alts) for (const alt of alts) for (const p of openings(alt + rest, kk)) out.add(p);
    else for (const ch of chars!) for (const p of openings(rest, kk - 1)) out.add(ch + p);
    return out;
  };
  if (q === '*') return ANY;
  if (q === '+') return atom('', k); // once, then anything
  if (q === '{') {
    const b = braces(s, len);
    return b && b.atLeastOne ? atom('', k) : ANY;
  }
  if (q === '?') {
    const rest = s.slice(len + 1);
    const out = atom(rest, k);
    for (const p of openings(rest, k)) out.add(p);
    return out;
  }
  return atom(s.slice(len), k);
}

/** Can a rule with these openings match where the text (lower-cased) opens with `t` (its first k characters)? */
export function canOpen(open: Set<string>, t: string): boolean {
  for (const p of open) if (t.startsWith(p)) return true;
  return false;
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
export function groupEnd(s: string): number {
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
export function splitTop(s: string): string[] {
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
