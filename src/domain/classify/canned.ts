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

function fnv1a(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 64-bit SimHash over word pairs, as two 32-bit halves. */
export function simhash(text: string): [number, number] {
  return simhashWords(templateText(text).split(' '));
}

/** SimHash of the words of a template text (templateText(...).split(' ')). */
function simhashWords(w: string[]): [number, number] {
  const acc = ACC;
  acc.fill(0);
  if (w.length < 2) for (const s of w) addBits(acc, fnv1a(s, 0x811c9dc5), fnv1a(s, 0x9747b28c));
  else {
    // Word pairs "a b", hashed by continuing each word's hash over " " and the next word: no pair string is built.
    for (let k = 1; k < w.length; k++) {
      const x = w[k - 1]!;
      const y = w[k]!;
      let a = 0x811c9dc5 | 0;
      let b = 0x9747b28c | 0;
      for (let i = 0; i < x.length; i++) {
        const c = x.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x01000193);
      }
      a = Math.imul(a ^ 32, 0x01000193);
      b = Math.imul(b ^ 32, 0x01000193);
      for (let i = 0; i < y.length; i++) {
        const c = y.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x01000193);
      }
      addBits(acc, a >>> 0, b >>> 0);
    }
  }
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 32; i++) {
    if (acc[i]! > 0) lo |= 1 << i;
    if (acc[32 + i]! > 0) hi |= 1 << i;
  }
  return [hi >>> 0, lo >>> 0];
}

const ACC = new Int32Array(64);

/** +1 for each set bit, -1 for each clear bit, without a branch per bit. */
function addBits(acc: Int32Array, a: number, b: number): void {
  for (let i = 0; i < 32; i++) {
    acc[i]! += (((a >>> i) & 1) << 1) - 1;
    acc[32 + i]! += (((b >>> i) & 1) << 1) - 1;
  }
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
/**
 * Flags a reply as canned when near-identical text (Hamming distance <= maxDistance on the SimHash)
 * was already sent by the same handle to at least minCustomers - 1 other customers. Keeps at most
 * maxTemplates fingerprints per handle (oldest dropped) and at most minCustomers customers each.
 */
export class CannedDetector {
  private readonly minCustomers: number;
  private readonly maxTemplates: number;
  private readonly maxDistance: number;
  private readonly handles = new Map<string, HandleState>();

  constructor(opts?: { minCustomers?: number; maxTemplates?: number; maxDistance?: number }) {
    this.minCustomers = Math.max(2, opts?.minCustomers ?? 3);
    this.maxTemplates = opts?.maxTemplates ?? 2000;
    this.maxDistance = Math.min(3, opts?.maxDistance ?? 3);
  }

  observe(handle: string, customerId: string, text: string): boolean {
    // Too little text to call a copy a template ("Thanks!" is not canned).
    const words = templateText(text).split(' ');
    if (words.length < 4) return false;
    const [hi, lo] = simhashWords(words);
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
    return others >= this.minCustomers - 1;
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
