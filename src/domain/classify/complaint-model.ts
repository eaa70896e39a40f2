// Owns complaint scoring by the shipped logistic-regression model (trained by scripts/train-complaint.ts).
import model from './complaint-model.json' with { type: 'json' };

interface ModelFile {
  bias: number;
  weights: Record<string, number>;
}

const m = model as ModelFile;

/** FNV-1a over a string, continuing from `h`: a bigram "a b" hashes as fnv(fnv(fnv(a), " "), b). */
function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
const SPACE = 32;

// Keyed by hash rather than by string: no bigram string is ever built on the hot path.
// Collisions among ~5k features in 2^32 are negligible; a collision would only shift a weight.
const WEIGHTS = new Map<number, number>();
const NAMES = new Map<number, string>();
for (const [f, w] of Object.entries(m.weights)) {
  const h = fnv(f);
  WEIGHTS.set(h, (WEIGHTS.get(h) ?? 0) + w);
  NAMES.set(h, f);
}

// The same weights in an open-addressing table of typed arrays: a probe is a few array reads, no Map hashing.
const SLOTS = 1 << Math.max(10, Math.ceil(Math.log2(WEIGHTS.size * 4)));
const MASK = SLOTS - 1;
const KEYS = new Uint32Array(SLOTS);
const VALS = new Float64Array(SLOTS);
const USED = new Uint8Array(SLOTS);
/** The feature's text by slot, for the reasons. */
const NAME_AT: string[] = new Array<string>(SLOTS).fill('');
for (const [h, w] of WEIGHTS) {
  let j = (h ^ (h >>> 15)) & MASK;
  while (USED[j]) j = (j + 1) & MASK;
  USED[j] = 1;
  KEYS[j] = h;
  VALS[j] = w;
  NAME_AT[j] = NAMES.get(h)!;
}

/** Slot of feature hash `h` in KEYS/VALS, or -1 when the model has none. */
function slotOf(h: number): number {
  let j = (h ^ (h >>> 15)) & MASK;
  while (USED[j] === 1) {
    if (KEYS[j] === h) return j;
    j = (j + 1) & MASK;
  }
  return -1;
}

/** A tweet's complaint score, and the features that pushed hardest towards "complaint" (for the reasons). */
export class ModelScore {
  constructor(
    readonly score: number,
    /** Slots of the two features with the largest positive weights (-1: none). */
    private readonly j1: number,
    private readonly w1: number,
    private readonly j2: number,
    private readonly w2: number,
  ) {}

  /** Built on demand: only complaints show it. */
  get top(): string {
    const a = this.w1 > 0 && this.j1 >= 0 ? `'${NAME_AT[this.j1]}'` : '';
    const b = this.w2 > 0 && this.j2 >= 0 ? `'${NAME_AT[this.j2]}'` : '';
    return a && b ? `${a}, ${b}` : a || b;
  }
}

/**
 * Scores a tweet. Tokenises exactly as `words()` in tokens.ts (the training tokeniser) but hashes each token while
 * scanning it, unigram and bigram together: no token strings, no token array. Features are summed in the same
 * order as before (unigram, then the pair ending at it) so scores are bit-for-bit those of the word-list path.
 */
export function complaintModelScore(text: string): ModelScore {
  const s = text.toLowerCase();
  const n = s.length;
  let z = m.bias;
  let j1 = -1;
  let w1 = 0;
  let j2 = -1;
  let w2 = 0;
  let prev = 0;
  let first = true;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 64 /* @ */ || c === 38 /* & */ || (c === 104 && s.startsWith('http', i))) {
      while (i < n && s.charCodeAt(i) > 32) i++;
      continue;
    }
    // One token: its hash, and the pair's hash continued from the last token's.
    let hu = 0x811c9dc5;
    let hb = Math.imul(prev ^ SPACE, 0x01000193);
    if (isWordChar(c)) {
      // Word characters and apostrophes, which are part of the word but left out of the token ("don't" -> "dont").
      for (; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === 39 || d === 0x2019) continue;
        if (!isWordChar(d)) break;
        hu = Math.imul(hu ^ d, 0x01000193);
        hb = Math.imul(hb ^ d, 0x01000193);
      }
    } else if (c === 33 || c === 63 || (c >= 0xd800 && c <= 0xdbff)) {
      // "!", "?", or an emoji: its two UTF-16 units (whatever follows a high surrogate).
      const end = c < 0xd800 ? i + 1 : Math.min(n, i + 2);
      for (; i < end; i++) {
        const d = s.charCodeAt(i);
        hu = Math.imul(hu ^ d, 0x01000193);
        hb = Math.imul(hb ^ d, 0x01000193);
      }
    } else {
      i++;
      continue;
    }
    hu >>>= 0;
    const ju = slotOf(hu);
    if (ju >= 0) {
      const wu = VALS[ju]!;
      z += wu;
      if (wu > w1) {
        j2 = j1;
        w2 = w1;
        j1 = ju;
        w1 = wu;
      } else if (wu > w2) {
        j2 = ju;
        w2 = wu;
      }
    }
    if (!first) {
      hb >>>= 0;
      const jb = slotOf(hb);
      if (jb >= 0) {
        const wb = VALS[jb]!;
        z += wb;
        if (wb > w1) {
          j2 = j1;
          w2 = w1;
          j1 = jb;
          w1 = wb;
        } else if (wb > w2) {
          j2 = jb;
          w2 = wb;
        }
      }
    }
    first = false;
    prev = hu;
  }
  return new ModelScore(1 / (1 + Math.exp(-z)), j1, w1, j2, w2);
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0xc0 && c <= 0x24f);
}
