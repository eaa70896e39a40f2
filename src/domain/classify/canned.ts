// Owns canned-reply detection: SimHash fingerprints of normalised reply text, per handle, in bounded memory.

/** Text with the parts that differ between copies of one template removed: mentions, links, names, numbers, signature. */
export function templateText(text: string): string {
  const s = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/@\w+/g, ' ')
    .replace(/&\w+;/g, ' ')
    // Capitalised words are mostly names ("Hi Dale", "-Andre"); dropping all of them keeps templates equal.
    .replace(/(?:^|\s)[\^*~\/-]{0,2}\s?[A-Z][\w'’]*/g, ' ')
    .replace(/[0-9]+/g, '0')
    .toLowerCase();
  // Words are the runs of letters and digits, joined by one space. Every character that is neither (whitespace
  // included: trim() and \s cover the same characters) separates words. ASCII text takes a plain regex: the Unicode
  // property classes cost several times more and match the same characters there.
  return (ASCII_RE.test(s) ? s.replace(/[^a-z0-9]+/g, ' ') : s.replace(/[^\p{L}\p{N}]+/gu, ' ')).trim();
}

const ASCII_RE = /^[\x00-\x7f]*$/;

/** 64-bit SimHash over word pairs, as two 32-bit halves. */
export function simhash(text: string): [number, number] {
  return simhashOf(templateText(text));
}

const SEED_A = 0x811c9dc5 | 0;
const SEED_B = 0x9747b28c | 0;

/**
 * SimHash of a template text (words joined by single spaces): FNV-1a of each word pair "a b" under two seeds (one per
 * half), or of each word when there are fewer than two. A bit of the fingerprint is set when more than half of the
 * features have it set, i.e. when the +1/-1 votes of the features sum above 0.
 *
 * Reads the text once without splitting it, and counts the set bits of all features per position with bit-sliced
 * counters (COUNT_A/B[k] holds bit k of the 32 counts), a few operations per feature where a vote per bit took 64.
 */
function simhashOf(t: string): [number, number] {
  COUNT_A.fill(0);
  COUNT_B.fill(0);
  let features = 0;
  // FNV state of the word being read: from the seed (it opens the next pair), and continued from the previous word
  // and a space (it closes the current pair).
  let wordA = SEED_A;
  let wordB = SEED_B;
  let pairA = 0;
  let pairB = 0;
  let words = 1;
  const n = t.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? t.charCodeAt(i) : 32;
    if (c !== 32) {
      wordA = Math.imul(wordA ^ c, 0x01000193);
      wordB = Math.imul(wordB ^ c, 0x01000193);
      pairA = Math.imul(pairA ^ c, 0x01000193);
      pairB = Math.imul(pairB ^ c, 0x01000193);
      continue;
    }
    // A word ends: the pair it closes is a feature; it opens the next pair, continued over the space.
    if (words > 1) {
      count(pairA >>> 0, pairB >>> 0);
      features++;
    }
    if (i === n) {
      if (words === 1) {
        count(wordA >>> 0, wordB >>> 0);
        features++;
      }
      break;
    }
    pairA = Math.imul(wordA ^ 32, 0x01000193);
    pairB = Math.imul(wordB ^ 32, 0x01000193);
    wordA = SEED_A;
    wordB = SEED_B;
    words++;
  }
  let hi = 0;
  let lo = 0;
  const levels = 32 - Math.clz32(features);
  for (let bit = 0; bit < 32; bit++) {
    let a = 0;
    let b = 0;
    for (let k = 0; k < levels; k++) {
      // Fewer than 2^31 features (a string is shorter than that): the counts fit in 31 bits.
      a |= ((COUNT_A[k]! >>> bit) & 1) << k;
      b |= ((COUNT_B[k]! >>> bit) & 1) << k;
    }
    if (2 * a > features) lo |= 1 << bit;
    if (2 * b > features) hi |= 1 << bit;
  }
  return [hi >>> 0, lo >>> 0];
}

const COUNT_A = new Int32Array(32);
const COUNT_B = new Int32Array(32);

/** Adds one feature's two hashes to the bit-sliced counters: a binary increment of all 32 counts at once. */
function count(a: number, b: number): void {
  for (let k = 0; a !== 0; k++) {
    const carry = COUNT_A[k]! & a;
    COUNT_A[k]! ^= a;
    a = carry;
  }
  for (let k = 0; b !== 0; k++) {
    const carry = COUNT_B[k]! & b;
    COUNT_B[k]! ^= b;
    b = carry;
  }
}

/** Words of a template text (at least one, possibly ""). */
function wordCount(t: string): number {
  let n = 1;
  for (let i = t.indexOf(' '); i !== -1; i = t.indexOf(' ', i + 1)) n++;
  return n;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

interface Entry {
  hi: number;
  lo: number;
  customers: Set<string>;
}

interface HandleState {
  /** Fingerprints in insertion order, as a ring: the oldest is dropped first. */
  ring: (Entry | undefined)[];
  head: number;
  size: number;
  /** Band (16 bits) -> entries having it; two fingerprints within 3 bits share at least one of 4 bands. */
  bands: Map<number, Entry[]>[];
}

function bandKey(hi: number, lo: number, b: number): number {
  return b === 0 ? hi >>> 16 : b === 1 ? hi & 0xffff : b === 2 ? lo >>> 16 : lo & 0xffff;
}

/** A reply the handle sent, as the analyzer observed it: to whom, and its text. */
export interface SentReply {
  customerId: string;
  text: string;
}

/**
 * Flags a reply as canned when near-identical text (Hamming distance <= maxDistance on the SimHash)
 * was already sent by the same handle to at least minCustomers - 1 other customers. Keeps at most
 * maxTemplates fingerprints per handle (oldest dropped) and at most minCustomers customers each.
 *
 * The memory lives in one process: `seed` rebuilds a handle's from its stored replies (after a restart, or when
 * another process analyzed the handle meanwhile), and `version` holds the caller's label for the stored state it matches.
 */
export class CannedDetector {
  private readonly minCustomers: number;
  private readonly maxTemplates: number;
  private readonly maxDistance: number;
  private readonly handles = new Map<string, HandleState>();
  private readonly versions = new Map<string, string>();

  constructor(opts?: { minCustomers?: number; maxTemplates?: number; maxDistance?: number }) {
    this.minCustomers = Math.max(2, opts?.minCustomers ?? 3);
    this.maxTemplates = opts?.maxTemplates ?? 2000;
    this.maxDistance = Math.min(3, opts?.maxDistance ?? 3);
  }

  /** Fingerprints kept per handle: replaying more of a handle's latest replies than this cannot add to a seed. */
  get capacity(): number {
    return this.maxTemplates;
  }

  observe(handle: string, customerId: string, text: string): boolean {
    return this.record(handle, customerId, text) >= this.minCustomers - 1;
  }

  /** As observe, but says why: the `canned` reason when the reply is canned, else null. */
  observeWithReason(handle: string, customerId: string, text: string): string | null {
    const others = this.record(handle, customerId, text);
    // Each fingerprint keeps at most minCustomers customers, so the count is a floor.
    return others >= this.minCustomers - 1 ? `canned: near-identical text already sent to ${others}+ other customers` : null;
  }

  /**
   * Replaces the memory of `handle` with `replies`, oldest first, each remembered as observe remembers it (nothing is
   * flagged), and clears its version. Replaying a handle's latest `capacity` replies rebuilds the memory an
   * uninterrupted process has, as long as the handle has sent no more replies than that.
   */
  seed(handle: string, replies: Iterable<SentReply>): void {
    this.handles.delete(handle);
    this.versions.delete(handle);
    for (const r of replies) this.record(handle, r.customerId, r.text);
  }

  /** The caller's label for the stored state the memory of `handle` matches; undefined when it is not known to match one. */
  version(handle: string): string | undefined {
    return this.versions.get(handle);
  }

  setVersion(handle: string, version: string | undefined): void {
    if (version === undefined) this.versions.delete(handle);
    else this.versions.set(handle, version);
  }

  /** Remembers the reply; returns how many other customers got near-identical text before (capped), -1 for too short a text. */
  private record(handle: string, customerId: string, text: string): number {
    // Too little text to call a copy a template ("Thanks!" is not canned).
    const t = templateText(text);
    if (wordCount(t) < 4) return -1;
    const [hi, lo] = simhashOf(t);
    let st = this.handles.get(handle);
    if (!st) {
      st = { ring: new Array<Entry | undefined>(this.maxTemplates + 1), head: 0, size: 0, bands: [new Map(), new Map(), new Map(), new Map()] };
      this.handles.set(handle, st);
    }
    let match: Entry | undefined;
    for (let b = 0; b < 4 && !match; b++) {
      const list = st.bands[b]!.get(bandKey(hi, lo, b));
      if (!list) continue;
      for (let j = 0; j < list.length; j++) {
        const e = list[j]!;
        if (popcount(e.hi ^ hi) + popcount(e.lo ^ lo) <= this.maxDistance) {
          match = e;
          break;
        }
      }
    }
    if (!match) {
      match = { hi, lo, customers: new Set() };
      st.ring[(st.head + st.size) % st.ring.length] = match;
      st.size++;
      for (let b = 0; b < 4; b++) {
        const key = bandKey(hi, lo, b);
        const list = st.bands[b]!.get(key);
        if (list) list.push(match);
        else st.bands[b]!.set(key, [match]);
      }
      if (st.size > this.maxTemplates) this.evict(st);
    }
    const others = match.customers.has(customerId) ? match.customers.size - 1 : match.customers.size;
    if (match.customers.size < this.minCustomers) match.customers.add(customerId);
    return others;
  }

  private evict(st: HandleState): void {
    const old = st.ring[st.head]!;
    st.ring[st.head] = undefined;
    st.head = (st.head + 1) % st.ring.length;
    st.size--;
    for (let b = 0; b < 4; b++) {
      const key = bandKey(old.hi, old.lo, b);
      const list = st.bands[b]!.get(key);
      if (!list) continue;
      const at = list.indexOf(old);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) st.bands[b]!.delete(key);
    }
  }
}
