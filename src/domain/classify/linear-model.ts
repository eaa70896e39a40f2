// Owns scoring by a shipped logistic-regression model over word unigrams and pairs (the features of tokens.ts),
// used by the complaint score and the deflection model. Training: scripts/logreg.ts.

export interface ModelFile {
  bias: number;
  weights: Record<string, number>;
}

/** FNV-1a over a string, continuing from `h`: a bigram "a b" hashes as fnv(fnv(fnv(a), " "), b). */
export function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
const SPACE = 32;

/** A tweet's score, and the features that pushed hardest towards the positive class (for the reasons). */
export class ModelScore {
  constructor(
    readonly score: number,
    private readonly names: readonly string[],
    /** Slots of the two features with the largest positive weights (-1: none). */
    private readonly j1: number,
    private readonly w1: number,
    private readonly j2: number,
    private readonly w2: number,
  ) {}

  /** Built on demand: only positive decisions show it. */
  get top(): string {
    const a = this.w1 > 0 && this.j1 >= 0 ? `'${this.names[this.j1]}'` : '';
    const b = this.w2 > 0 && this.j2 >= 0 ? `'${this.names[this.j2]}'` : '';
    return a && b ? `${a}, ${b}` : a || b;
  }
}

/**
 * The weights of one model keyed by feature hash in an open-addressing table of typed arrays: a probe is a few array
 * reads, no Map hashing, and no bigram string is ever built on the hot path. Collisions among a few thousand features
 * in 2^32 are negligible; a collision would only shift a weight.
 */
export class LinearModel {
  private readonly bias: number;
  private readonly mask: number;
  private readonly keys: Uint32Array;
  private readonly vals: Float64Array;
  /** What an empty slot of `keys` holds: a value no feature hashes to, so a probe reads only `keys` until it stops. */
  private readonly empty: number;
  /**
   * One bit per value of a hash's top 16 bits, set where some feature has it: most words and pairs of a tweet are not
   * features, and this 8 KB bit set answers for most of them without reading the table.
   */
  private readonly seen = new Uint32Array(2048);
  /** The feature's text by slot, for the reasons. */
  private readonly names: string[];

  constructor(file: ModelFile) {
    this.bias = file.bias;
    const weights = new Map<number, number>();
    const names = new Map<number, string>();
    for (const [f, w] of Object.entries(file.weights)) {
      const h = fnv(f);
      weights.set(h, (weights.get(h) ?? 0) + w);
      names.set(h, f);
    }
    const slots = 1 << Math.max(10, Math.ceil(Math.log2(weights.size * 4)));
    this.mask = slots - 1;
    let empty = 0;
    while (weights.has(empty)) empty++;
    this.empty = empty;
    this.keys = new Uint32Array(slots).fill(empty);
    this.vals = new Float64Array(slots);
    this.names = new Array<string>(slots).fill('');
    for (const [h, w] of weights) {
      let j = (h ^ (h >>> 15)) & this.mask;
      while (this.keys[j] !== empty) j = (j + 1) & this.mask;
      this.keys[j] = h;
      this.seen[h >>> 21]! |= 1 << ((h >>> 16) & 31);
      this.vals[j] = w;
      this.names[j] = names.get(h)!;
    }
  }

  /** Slot of feature hash `h`, or -1 when the model has none. */
  private slotOf(h: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let j = (h ^ (h >>> 15)) & mask;
    while (keys[j] !== h && keys[j] !== this.empty) j = (j + 1) & mask;
    return keys[j] === h && h !== this.empty ? j : -1;
  }

  /**
   * Scores a tweet, plus `extra` features named as in training. Tokenises exactly as `words()` in tokens.ts (the
   * training tokeniser) but hashes each token while scanning it, unigram and bigram together: no token strings, no
   * token array. Features are summed in the order of `features()` per token (unigram, then the pair ending at it).
   * `lower` is `text.toLowerCase()`, for a caller that has it already.
   */
  score(text: string, extra?: readonly string[], lower: string = text.toLowerCase()): ModelScore {
    const vals = this.vals;
    const keys = this.keys;
    const empty = this.empty;
    const mask = this.mask;
    const seen = this.seen;
    const s = lower;
    const n = s.length;
    const t = new Tally(this.bias);
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
          if (!isWordChar(d)) {
            if (d === 39 || d === 0x2019) continue;
            break;
          }
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
      // The table probe, inlined (a method call here costs ~10 % of the score).
      if ((seen[hu >>> 21]! >>> ((hu >>> 16) & 31)) & 1) {
        let ju = (hu ^ (hu >>> 15)) & mask;
        while (keys[ju] !== hu && keys[ju] !== empty) ju = (ju + 1) & mask;
        if (keys[ju] === hu && hu !== empty) t.add(ju, vals[ju]!);
      }
      hb >>>= 0;
      if (!first && (seen[hb >>> 21]! >>> ((hb >>> 16) & 31)) & 1) {
        let jb = (hb ^ (hb >>> 15)) & mask;
        while (keys[jb] !== hb && keys[jb] !== empty) jb = (jb + 1) & mask;
        if (keys[jb] === hb && hb !== empty) t.add(jb, vals[jb]!);
      }
      first = false;
      prev = hu;
    }
    if (extra)
      for (const f of extra) {
        const j = this.slotOf(fnv(f));
        if (j >= 0) t.add(j, vals[j]!);
      }
    return new ModelScore(1 / (1 + Math.exp(-t.z)), this.names, t.j1, t.w1, t.j2, t.w2);
  }
}

/** The running sum of one score() call and its two strongest positive features (slots and weights). */
class Tally {
  j1 = -1;
  w1 = 0;
  j2 = -1;
  w2 = 0;
  constructor(public z: number) {}

  /** Adds the weight at slot `j` to the sum and keeps the two largest. */
  add(j: number, w: number): void {
    this.z += w;
    // A feature seen twice ("no ... no") counts twice but is named once.
    if (j === this.j1 || j === this.j2) return;
    if (w > this.w1) {
      this.j2 = this.j1;
      this.w2 = this.w1;
      this.j1 = j;
      this.w1 = w;
    } else if (w > this.w2) {
      this.j2 = j;
      this.w2 = w;
    }
  }
}

/** Word characters of a lower-cased text, by code (all below U+0250): a-z, 0-9 and U+00C0..U+024F, as in tokens.ts. */
const WORD_CHAR = Uint8Array.from({ length: 0x250 }, (_, c) => ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0 ? 1 : 0));

/** A table read rather than three range tests: it runs for every character of every scored tweet. */
function isWordChar(c: number): boolean {
  return c < 0x250 && WORD_CHAR[c] === 1;
}
