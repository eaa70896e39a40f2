// Owns holding a whole TWCS file in memory for sorting: tweets as columns (a few hundred bytes each), rebuilt as Tweets one at a time.
import { mentionsOf } from '../sources/twcs.ts';
import type { Tweet } from '../domain/types.ts';

/**
 * A copy of `s` that shares no memory with the string it was cut from. The CSV parser hands out slices of its 1 MB
 * input chunks; keeping one slice per row would keep every chunk, i.e. the whole file, alive.
 */
function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

const SLAB = 16 << 20;

/**
 * Texts as UTF-8 in 16 MB slabs: about one byte a character and no per-string header, where a string per row costs
 * a header plus two bytes a character whenever the parser's chunk held any non-Latin-1 character. Copying into the
 * slab also frees the parser's chunks (see `own`).
 */
class TextStore {
  private readonly slabs: Buffer[] = [];
  private slab = Buffer.allocUnsafe(0);
  private used = 0;
  /** Per row: slab number and byte range. */
  slabOf = new Uint16Array(1 << 16);
  start = new Uint32Array(1 << 16);
  end = new Uint32Array(1 << 16);

  /** Texts UTF-8 cannot carry unchanged (lone surrogates, possible from JSON escapes). */
  private readonly odd = new Map<number, string>();

  /** `rawUtf8`: texts come as their UTF-8 bytes, a character a byte (see ReadTwcsOptions.textAsUtf8Bytes). */
  constructor(private readonly rawUtf8 = false) {}

  push(i: number, s: string): void {
    if (i === this.start.length) {
      const grow = <T extends Uint16Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(i * 2);
        b.set(a);
        return b;
      };
      this.slabOf = grow(this.slabOf, (n) => new Uint16Array(n));
      this.start = grow(this.start, (n) => new Uint32Array(n));
      this.end = grow(this.end, (n) => new Uint32Array(n));
    }
    if (!this.rawUtf8 && !(s as string & { isWellFormed(): boolean }).isWellFormed()) {
      this.odd.set(i, own(s));
      return;
    }
    const max = this.rawUtf8 ? s.length : s.length * 3;
    if (this.used + max > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB, max));
      this.slabs.push(this.slab);
      this.used = 0;
    }
    const n = this.slab.write(s, this.used, this.rawUtf8 ? 'latin1' : 'utf8');
    this.slabOf[i] = this.slabs.length - 1;
    this.start[i] = this.used;
    this.end[i] = this.used + n;
    this.used += n;
  }

  get(i: number): string {
    if (this.odd.size && this.odd.has(i)) return this.odd.get(i)!;
    return this.slabs[this.slabOf[i]!]!.toString('utf8', this.start[i]!, this.end[i]!);
  }

  /** The text of row `i` when UTF-8 cannot carry it (see `odd`), else undefined: its bytes are in the slabs. */
  oddText(i: number): string | undefined {
    return this.odd.size ? this.odd.get(i) : undefined;
  }

  /** Copies the UTF-8 of row `i` into `target` at `at` (it must have room: `byteLength(i)`); returns the end. */
  copy(i: number, target: Uint8Array, at: number): number {
    return at + this.slabs[this.slabOf[i]!]!.copy(target, at, this.start[i]!, this.end[i]!);
  }

  byteLength(i: number): number {
    return this.end[i]! - this.start[i]!;
  }

  /** `mentionsOf` the text of row `i`, read from its UTF-8 without decoding it. */
  mentions(i: number): string[] {
    const odd = this.oddText(i);
    return odd === undefined ? mentionsOfUtf8(this.slabs[this.slabOf[i]!]!, this.start[i]!, this.end[i]!) : mentionsOf(odd);
  }

  /** Drops the slabs (rows are read in time order, not slab order, so only once all have been read). */
  clear(): void {
    this.slabs.length = 0;
    this.slab = Buffer.allocUnsafe(0);
    this.odd.clear();
  }
}

const NO_MENTIONS: string[] = [];
Object.freeze(NO_MENTIONS);

/**
 * `mentionsOf` over the UTF-8 bytes `from`..`to` of `buf`: "@" and the word characters after it are ASCII, which UTF-8
 * writes as one byte each and never uses inside a multi-byte character, so the bytes give the same mentions.
 */
export function mentionsOfUtf8(buf: Buffer, from: number, to: number): string[] {
  let out: string[] | undefined;
  for (let at = from; at < to; at++) {
    if (buf[at] !== 64) continue;
    let end = at + 1;
    while (end < to && end - at <= 50 && isWordByte(buf[end]!)) end++;
    if (end > at + 1) {
      (out ??= []).push(buf.toString('latin1', at + 1, end));
      at = end - 1;
    }
  }
  return out ?? NO_MENTIONS;
}

function isWordByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Ids as numbers when the number prints back as the same text (no leading zeros, at most 15 digits), else NaN. */
function idNumber(s: string): number {
  if (s.length > 15) return NaN;
  const n = Number(s);
  return String(n) === s ? n : NaN;
}

export class TweetColumns {
  length = 0;
  authors: string[] = [];
  private readonly texts: TextStore;
  /** Tweet and parent ids as numbers (NaN: no parent, or see the text maps), 8 bytes each instead of a string. */
  ids = new Float64Array(1 << 16);
  replyTo = new Float64Array(1 << 16);
  private readonly idText = new Map<number, string>();
  private readonly replyText = new Map<number, string>();
  times = new Float64Array(1 << 16);
  brand = new Uint8Array(1 << 16);

  /** `textsAsUtf8Bytes`: the pushed Tweets' texts are their UTF-8 bytes, a character a byte (readTwcs `textAsUtf8Bytes`). */
  constructor(opts: { textsAsUtf8Bytes?: boolean } = {}) {
    this.texts = new TextStore(opts.textsAsUtf8Bytes);
  }

  push(t: Tweet): void {
    const i = this.length++;
    if (i === this.times.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(i * 2);
        b.set(a);
        return b;
      };
      this.times = grow(this.times, (n) => new Float64Array(n));
      this.ids = grow(this.ids, (n) => new Float64Array(n));
      this.replyTo = grow(this.replyTo, (n) => new Float64Array(n));
      this.brand = grow(this.brand, (n) => new Uint8Array(n));
    }
    const id = idNumber(t.id);
    this.ids[i] = id;
    if (Number.isNaN(id)) this.idText.set(i, own(t.id));
    const parent = t.inReplyToTweetId;
    const p = parent === undefined ? NaN : idNumber(parent);
    this.replyTo[i] = p;
    if (parent !== undefined && Number.isNaN(p)) this.replyText.set(i, own(parent));
    this.authors.push(own(t.authorId));
    this.texts.push(i, t.text);
    this.times[i] = t.createdAt.getTime();
    this.brand[i] = t.isBrand ? 1 : 0;
  }

  id(i: number): string {
    const n = this.ids[i]!;
    return Number.isNaN(n) ? this.idText.get(i)! : String(n);
  }

  inReplyTo(i: number): string | undefined {
    const n = this.replyTo[i]!;
    return Number.isNaN(n) ? this.replyText.get(i) : String(n);
  }

  private compare(a: number, b: number): number {
    const d = this.times[a]! - this.times[b]!;
    if (d !== 0) return d;
    const na = this.ids[a]!;
    const nb = this.ids[b]!;
    // Numeric ids without leading zeros: numeric order is the (length, text) order used for all ids.
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    const x = this.id(a);
    const y = this.id(b);
    return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
  }

  /** Row indexes in (created_at, numeric id) order; files already in that order (the sample) skip the sort. */
  sortedOrder(): Uint32Array {
    const order = new Uint32Array(this.length);
    for (let i = 0; i < this.length; i++) order[i] = i;
    let sorted = true;
    for (let i = 1; i < this.length && sorted; i++) if (this.compare(i - 1, i) > 0) sorted = false;
    if (!sorted) order.sort((a, b) => this.compare(a, b));
    return order;
  }

  /** The reply links of every row, for the responder index. */
  *links(): Iterable<Pick<Tweet, 'isBrand' | 'authorId' | 'inReplyToTweetId'>> {
    const link = { isBrand: false, authorId: '', inReplyToTweetId: undefined as string | undefined };
    for (let i = 0; i < this.length; i++) {
      link.isBrand = this.brand[i] === 1;
      link.authorId = this.authors[i]!;
      link.inReplyToTweetId = link.isBrand ? this.inReplyTo(i) : undefined;
      yield link;
    }
  }

  /** Row `i` rebuilt as a Tweet (without its mentions when told: threading does not read them). */
  tweet(i: number, withMentions = true): Tweet {
    const text = this.texts.get(i);
    const isBrand = this.brand[i] === 1;
    const t: Tweet = { id: this.id(i), authorId: this.authors[i]!, text, createdAt: new Date(this.times[i]!), mentions: withMentions ? mentionsOf(text) : NO_MENTIONS, isBrand };
    const reply = this.inReplyTo(i);
    if (reply !== undefined) t.inReplyToTweetId = reply;
    if (isBrand) t.authorUsername = t.authorId;
    return t;
  }

  /** The mentions in the text of row `i`, as `mentionsOf` finds them, without decoding the text. */
  mentions(i: number): string[] {
    return this.texts.mentions(i);
  }

  /** The text of row `i` when it is not kept as UTF-8 (lone surrogates), else undefined (see `copyText`). */
  oddText(i: number): string | undefined {
    return this.texts.oddText(i);
  }

  /** Bytes of the UTF-8 text of row `i` (0 for an odd text). */
  textByteLength(i: number): number {
    return this.texts.oddText(i) === undefined ? this.texts.byteLength(i) : 0;
  }

  /** Copies the UTF-8 text of row `i` into `target` at `at`, returns the end; an odd text copies nothing. */
  copyText(i: number, target: Uint8Array, at: number): number {
    return this.texts.oddText(i) === undefined ? this.texts.copy(i, target, at) : at;
  }

  /** Drops the texts once every row has been rebuilt (rows are read in time order, not slab order). */
  releaseTexts(): void {
    this.texts.clear();
  }

  /** Tweets in `order`, each rebuilt when needed; the texts are released once all have been handed out. */
  *tweets(order: Uint32Array): Iterable<Tweet> {
    for (let k = 0; k < order.length; k++) yield this.tweet(order[k]!);
    this.texts.clear();
  }
}
