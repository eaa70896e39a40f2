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

function sequence(s: string, k: number): Set<string> {
  if (k === 0 || s === '') return ANY;
  if (s.startsWith('(?<!') || s.startsWith('(?<=') || s.startsWith('(?=') || s.startsWith('(?!')) {
    // Zero-width: skipping it only widens the set.
    const end = groupEnd(s);
    return end < 0 ? ANY : openings(s.slice(end + 1), k);
  }
  if (s.startsWith('(?:')) {
    const end = groupEnd(s);
    if (end < 0) return ANY;
    const q = s[end + 1] ?? '';
    if (q === '*' || q === '+' || q === '{') return ANY;
    const rest = s.slice(end + 1 + (q === '?' ? 1 : 0));
    const out = new Set<string>();
    if (q === '?') for (const p of openings(rest, k)) out.add(p);
    for (const alt of splitTop(s.slice(3, end))) for (const p of openings(alt + rest, k)) out.add(p);
    return out;
  }
  const c = s[0]!;
  if (c === '^') return openings(s.slice(1), k);
  let ch: string;
  let len = 1;
  if (c === '\\') {
    const d = s[1] ?? '';
    if (d === 'b' || d === 'B') return openings(s.slice(2), k);
    if (/[A-Za-z0-9]/.test(d)) return ANY; // \s \w \d \u... and back-references
    ch = d;
    len = 2;
  } else if ('[.($|)*+?{'.includes(c)) return ANY;
  else ch = c;
  const code = ch.charCodeAt(0);
  if (code > 127) return ANY;
  const lower = ch.toLowerCase();
  const q = s[len] ?? '';
  if (q === '*' || q === '{') return ANY;
  if (q === '+') return new Set([lower]);
  const out = new Set<string>();
  if (q === '?') for (const p of openings(s.slice(len + 1), k)) out.add(p);
  for (const p of openings(s.slice(len + (q === '?' ? 1 : 0)), k - 1)) out.add(lower + p);
  return out;
}

/** Can a rule with these openings match where the text (lower-cased) opens with `t` (its first k characters)? */
export function canOpen(open: Set<string>, t: string): boolean {
  for (const p of open) if (t.startsWith(p)) return true;
  return false;
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
