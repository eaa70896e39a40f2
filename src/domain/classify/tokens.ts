// Owns the tokeniser shared by the complaint model and its training script: lower-cased words and word pairs.

/**
 * Words of a tweet, lower-cased, without @mentions, links and HTML entities. A hand-written scan
 * rather than a regex split: it runs once per tweet on the hot path.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  const s = text.toLowerCase();
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 64 /* @ */ || c === 38 /* & */ || (c === 104 && s.startsWith('http', i))) {
      while (i < n && s.charCodeAt(i) > 32) i++;
      continue;
    }
    if (isWordChar(c)) {
      const start = i;
      while (i < n && (isWordChar(s.charCodeAt(i)) || s.charCodeAt(i) === 39 || s.charCodeAt(i) === 0x2019)) i++;
      out.push(s.slice(start, i).replace(/[’']/g, ''));
      continue;
    }
    // Emoji and "!?" carry sentiment: keep them as one-character tokens.
    if (c === 33 || c === 63) out.push(s[i]);
    else if (c >= 0xd800 && c <= 0xdbff) {
      out.push(s.slice(i, i + 2));
      i += 2;
      continue;
    }
    i++;
  }
  return out;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c <= 0x24f);
}

/** Unigrams plus adjacent pairs ("not working" differs from "working"). */
export function features(text: string): string[] {
  const w = words(text);
  const f = w.slice();
  for (let i = 1; i < w.length; i++) f.push(`${w[i - 1]} ${w[i]}`);
  return f;
}
