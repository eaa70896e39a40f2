// Owns reading Customer Support on Twitter (TWCS) files, CSV or JSON lines, as a stream of domain Tweets in batches.
import fs from 'node:fs';
import readline from 'node:readline';
import Papa from 'papaparse';
import type { Tweet } from '../domain/types.ts';

export const TWCS_COLUMNS = ['tweet_id', 'author_id', 'inbound', 'created_at', 'text', 'response_tweet_id', 'in_response_to_tweet_id'] as const;

export class TwcsFormatError extends Error {
  readonly code = 'TWCS_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'TwcsFormatError';
  }
}

export interface MalformedRow {
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
  reason: string;
}

export interface ReadTwcsOptions {
  format?: 'twcs' | 'csv' | 'jsonl';
  /** Called for every skipped row; rows are skipped either way. */
  onMalformed?: (row: MalformedRow) => void;
  /** Called after each batch with the bytes consumed so far (for progress bars). */
  onProgress?: (bytesRead: number) => void;
  batchSize?: number;
  /** Keep `responseTweetIds` (default true); analyze drops them to save memory, it threads by `in_response_to`. */
  withResponses?: boolean;
  /** Fill `mentions` (default true); analyze finds them again when it threads. */
  withMentions?: boolean;
  /**
   * CSV only: leave each `text` as its UTF-8 bytes, one character per byte (a latin1 string), for callers that store the
   * bytes anyway (analyze): the file is then decoded as latin1, which costs far less than UTF-8 and keeps the parser on
   * one-byte strings. The CSV delimiters are ASCII and UTF-8 never uses ASCII bytes inside a multi-byte character, so
   * the fields are the same; every field but the text is decoded as UTF-8 when it holds a non-ASCII byte.
   */
  textAsUtf8Bytes?: boolean;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

function digits(s: string, from: number, len: number): number {
  let n = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Parses TWCS's fixed `Tue Oct 31 22:10:47 +0000 2017` by position: `new Date(string)` per row costs more than the
 * CSV parse itself. Returns epoch ms, or NaN when the text is not in that format.
 */
export function parseTwcsDate(s: string): number {
  if (s.length !== 30 || s[3] !== ' ' || s[7] !== ' ' || s[10] !== ' ' || s[13] !== ':' || s[16] !== ':' || s[19] !== ' ' || s[25] !== ' ') return NaN;
  const month = MONTHS[s.slice(4, 7)];
  const day = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const m = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const off = digits(s, 21, 4);
  const year = digits(s, 26, 4);
  if (month === undefined || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60 || off < 0 || year < 1970 || h < 0 || m < 0 || sec < 0) return NaN;
  const sign = s[20] === '-' ? -1 : s[20] === '+' ? 1 : 0;
  if (sign === 0) return NaN;
  const offsetMs = sign * (Math.floor(off / 100) * 60 + (off % 100)) * 60_000;
  return Date.UTC(year, month, day, h, m, sec) - offsetMs;
}

const NUMERIC = /^\d+$/;

const NO_MENTIONS: string[] = [];
Object.freeze(NO_MENTIONS);

/**
 * `@name` tokens of a text (names or, in TWCS, numeric user ids): what /@(\w{1,50})/g finds, "@" and then up to 50
 * of [A-Za-z0-9_], the next search starting after the match. Scanned by hand: matchAll built an iterator and a match
 * array per mention, for every tweet analyze routes.
 */
export function mentionsOf(text: string): string[] {
  let at = text.indexOf('@');
  if (at === -1) return NO_MENTIONS;
  let out: string[] | undefined;
  while (at !== -1) {
    let end = at + 1;
    while (end < text.length && end - at <= 50 && isWordChar(text.charCodeAt(end))) end++;
    if (end > at + 1) (out ??= []).push(text.slice(at + 1, end));
    at = text.indexOf('@', end > at + 1 ? end : at + 1);
  }
  return out ?? [];
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function splitIds(s: string): string[] | undefined {
  if (!s) return undefined;
  const parts = s.split(',');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!.trim();
    // Kaggle/pandas exports write ids as floats ("3.0").
    parts[i] = p.endsWith('.0') ? p.slice(0, -2) : p;
  }
  return parts;
}

function normId(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/** Maps one TWCS record (column order as TWCS_COLUMNS) to a Tweet, or returns why it is malformed. */
export function twcsRowToTweet(id: string, author: string, inbound: string, createdAt: string, text: string, responses: string, inReplyTo: string, withResponses = true, withMentions = true): Tweet | string {
  id = normId(id.trim());
  if (!NUMERIC.test(id)) return `bad tweet_id "${id.slice(0, 30)}"`;
  if (!author) return 'empty author_id';
  const ms = parseTwcsDate(createdAt);
  if (Number.isNaN(ms)) return `bad created_at "${createdAt.slice(0, 40)}"`;
  inReplyTo = normId(inReplyTo.trim());
  if (inReplyTo && !NUMERIC.test(inReplyTo)) return `bad in_response_to_tweet_id "${inReplyTo.slice(0, 30)}"`;
  // Brands keep their name as author_id; inbound False marks them too, should a brand ever have a numeric id.
  const isBrand = !NUMERIC.test(author) || inbound === 'False' || inbound === 'false';
  const tweet: Tweet = {
    id,
    authorId: author,
    text,
    createdAt: new Date(ms),
    mentions: withMentions ? mentionsOf(text) : NO_MENTIONS,
    isBrand,
  };
  if (inReplyTo) tweet.inReplyToTweetId = inReplyTo;
  const r = withResponses ? splitIds(responses) : undefined;
  if (r) tweet.responseTweetIds = r;
  if (isBrand) tweet.authorUsername = author;
  return tweet;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A field of a latin1-decoded line as UTF-8 text (see `textAsUtf8Bytes`). */
function utf8Field(s: string): string {
  return NON_ASCII.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

async function* readCsv(path: string, opts: ReadTwcsOptions): AsyncGenerator<Tweet[]> {
  const batchSize = opts.batchSize ?? 5000;
  const rawTexts = opts.textAsUtf8Bytes === true;
  const decode = rawTexts ? utf8Field : (s: string) => s;
  const [withResponses, withMentions] = [opts.withResponses ?? true, opts.withMentions ?? true];
  const stream = fs.createReadStream(path, { encoding: rawTexts ? 'latin1' : 'utf8', highWaterMark: 1 << 20 });
  let parser: Papa.Parser | undefined;
  let carry = '';
  let header: number[] | undefined; // source column index for each TWCS column
  let width = 0;
  let line = 1; // physical line where the next record starts
  let bytes = 0;
  let batch: Tweet[] = [];

  const handleRows = (rows: string[][]) => {
    for (const row of rows) {
      const start = line;
      if (!header) {
        const cells = row.map(decode);
        if (cells.length && cells[0]!.charCodeAt(0) === 0xfeff) cells[0] = cells[0]!.slice(1);
        const names = cells.map((c) => c.trim());
        const missing = TWCS_COLUMNS.filter((c) => !names.includes(c));
        if (missing.length) throw new TwcsFormatError(`${path}: not a TWCS file: the header lacks column(s) ${missing.join(', ')} (expected ${TWCS_COLUMNS.join(',')})`);
        header = TWCS_COLUMNS.map((c) => names.indexOf(c));
        width = row.length;
        line += 1 + countNewlines(row.join(''));
        continue;
      }
      if (row.length === 1 && row[0] === '') {
        line++;
        continue; // blank line
      }
      if (row.length !== width) {
        line += 1 + countNewlines(row.join(''));
        opts.onMalformed?.({ line: start, reason: `expected ${width} fields, found ${row.length}` });
        continue;
      }
      const h = header;
      const text = row[h[4]!]!;
      line += 1 + (text.indexOf('\n') === -1 ? 0 : countNewlines(row.join('')));
      // Mentions are ASCII, so found alike in the text or its bytes; inbound and created_at are valid only in ASCII.
      let t = twcsRowToTweet(decode(row[h[0]!]!), decode(row[h[1]!]!), row[h[2]!]!, row[h[3]!]!, text, withResponses ? decode(row[h[5]!]!) : '', decode(row[h[6]!]!), withResponses, withMentions);
      // The reason quotes the bad field: as text, not as bytes.
      if (typeof t === 'string' && rawTexts) t = twcsRowToTweet(decode(row[h[0]!]!), decode(row[h[1]!]!), row[h[2]!]!, decode(row[h[3]!]!), text, '', decode(row[h[6]!]!), false, false);
      if (typeof t === 'string') opts.onMalformed?.({ line: start, reason: t });
      else batch.push(t);
    }
  };

  for await (const chunk of stream as AsyncIterable<string>) {
    bytes = stream.bytesRead;
    let input = carry + chunk;
    if (!parser) {
      // Records end with CRLF in TWCS exports, LF elsewhere; a bare CR inside a quoted text is data, not a break.
      const nl = input.indexOf('\n');
      if (nl === -1 && input.length < 1 << 16) {
        carry = input;
        continue;
      }
      const newline = nl > 0 && input[nl - 1] === '\r' ? '\r\n' : '\n';
      parser = new Papa.Parser({ delimiter: ',', newline, quoteChar: '"' });
    }
    const res = parser.parse(input, 0, true) as { data: string[][]; meta: { cursor: number } };
    carry = input.slice(res.meta.cursor);
    input = '';
    handleRows(res.data);
    opts.onProgress?.(bytes);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (carry) {
    if (!parser) parser = new Papa.Parser({ delimiter: ',', newline: carry.includes('\r\n') ? '\r\n' : '\n', quoteChar: '"' });
    const res = parser.parse(carry, 0, false) as { data: string[][] };
    handleRows(res.data.filter((r) => !(r.length === 1 && r[0] === '')));
  }
  if (!header) throw new TwcsFormatError(`${path}: empty file: expected a header with ${TWCS_COLUMNS.join(',')}`);
  if (batch.length) yield batch;
}

async function* readJsonl(path: string, opts: ReadTwcsOptions): AsyncGenerator<Tweet[]> {
  const batchSize = opts.batchSize ?? 5000;
  const stream = fs.createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let batch: Tweet[] = [];
  const str = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : String(v));
  for await (const raw of rl) {
    line++;
    if (!raw.trim()) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      opts.onMalformed?.({ line, reason: 'not valid JSON' });
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      opts.onMalformed?.({ line, reason: 'not a JSON object' });
      continue;
    }
    const missing = TWCS_COLUMNS.filter((c) => c !== 'response_tweet_id' && c !== 'in_response_to_tweet_id' && !(c in o));
    if (missing.length) {
      opts.onMalformed?.({ line, reason: `missing key(s) ${missing.join(', ')}` });
      continue;
    }
    const inbound = o.inbound === true ? 'True' : o.inbound === false ? 'False' : str(o.inbound);
    const t = twcsRowToTweet(str(o.tweet_id), str(o.author_id), inbound, str(o.created_at), str(o.text), str(o.response_tweet_id), str(o.in_response_to_tweet_id), opts.withResponses ?? true, opts.withMentions ?? true);
    if (typeof t === 'string') opts.onMalformed?.({ line, reason: t });
    else batch.push(t);
    if (batch.length >= batchSize) {
      opts.onProgress?.(stream.bytesRead);
      yield batch;
      batch = [];
    }
  }
  opts.onProgress?.(stream.bytesRead);
  if (batch.length) yield batch;
}

/**
 * Streams a TWCS file as batches of Tweets, in file order (not sorted). Memory stays bounded by one read chunk plus one
 * batch. Malformed rows go to `onMalformed` with their line and are skipped; a CSV without the TWCS columns throws
 * TwcsFormatError naming the missing ones.
 */
export function readTwcs(path: string, opts: ReadTwcsOptions = {}): AsyncIterable<Tweet[]> {
  return twcsFormat(path, opts.format) === 'jsonl' ? readJsonl(path, opts) : readCsv(path, opts);
}

/** The format readTwcs reads `path` in: as given, else JSON lines for .jsonl/.json files and CSV for the rest. */
export function twcsFormat(path: string, format?: ReadTwcsOptions['format']): 'csv' | 'jsonl' {
  return (format ?? (/\.jsonl?$/i.test(path) ? 'jsonl' : 'twcs')) === 'jsonl' ? 'jsonl' : 'csv';
}
