// Owns the I/O of the corpus generator: learning the model from a TWCS file and streaming generated tweets to disk as TWCS CSV or X API v2 pages.
import fs from 'node:fs';
import { once } from 'node:events';
import type { Tweet } from '../domain/types.ts';
import { buildCorpusModel, type CorpusModel } from '../domain/corpus-model.ts';
import { generateCorpus, planHandles, type GenerateOptions, type GeneratedTweet } from '../domain/corpus-generator.ts';
import { readTwcs, TWCS_COLUMNS } from './twcs.ts';
import { toXPage, type XFixtureUser } from './x-fixture.ts';

export async function loadCorpusModel(file: string): Promise<CorpusModel> {
  const tweets: Tweet[] = [];
  for await (const batch of readTwcs(file)) for (const t of batch) tweets.push(t);
  return buildCorpusModel(tweets);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? '0' : '') + n;

/** TWCS's `Tue Oct 31 22:10:47 +0000 2017`, in UTC. */
export function formatTwcsDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function twcsLine(t: GeneratedTweet): string {
  return [t.id, t.authorId, t.isBrand ? 'False' : 'True', formatTwcsDate(t.createdAtMs), csvField(t.text), csvField(t.responseIds.join(',')), t.inReplyToId ?? ''].join(',') + '\r\n';
}

export interface GenSummary {
  tweets: number;
  handles: number;
  brandTweets: number;
  firstAt?: string;
  lastAt?: string;
  bytes: number;
}

/** Writes chunks with back-pressure so memory stays bounded however many tweets are generated. */
class ChunkWriter {
  private buf: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}
  async write(s: string) {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) await this.flush();
  }
  async flush() {
    if (!this.buf.length) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    this.bytes += Buffer.byteLength(chunk);
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}

export type GenFormat = 'twcs' | 'x-json';

/**
 * Streams the corpus to `out` (a file path or a writable stream such as stdout). `twcs` writes the TWCS CSV;
 * `x-json` writes JSON lines, one X API v2 page per tweet (`{"data":[post],"includes":{"users":[author]}}`) preceded
 * by one `{"users":[...]}` line listing the handles, the format test/fakes/fake-x.ts loads.
 */
export async function writeCorpus(model: CorpusModel, opts: GenerateOptions & { format: GenFormat }, out: string | NodeJS.WritableStream): Promise<GenSummary> {
  const stream = typeof out === 'string' ? fs.createWriteStream(out) : out;
  const w = new ChunkWriter(stream);
  const handles = planHandles(model, opts.handles);
  const summary: GenSummary = { tweets: 0, handles: handles.length, brandTweets: 0, bytes: 0 };
  if (opts.format === 'twcs') await w.write(TWCS_COLUMNS.join(',') + '\r\n');
  else {
    const users: XFixtureUser[] = handles.map((h) => ({ id: h.userId, username: h.handle, name: h.source }));
    await w.write(JSON.stringify({ users }) + '\n');
  }
  const userIds = new Map(handles.map((h) => [h.handle, h.userId]));
  let last = 0;
  for (const t of generateCorpus(model, opts)) {
    if (!summary.firstAt) summary.firstAt = new Date(t.createdAtMs).toISOString();
    last = t.createdAtMs;
    summary.tweets++;
    if (t.isBrand) summary.brandTweets++;
    await w.write(opts.format === 'twcs' ? twcsLine(t) : JSON.stringify(toXPage(t, userIds)) + '\n');
  }
  await w.flush();
  summary.lastAt = last ? new Date(last).toISOString() : undefined;
  summary.bytes = w.bytes;
  if (typeof out === 'string') {
    stream.end();
    await once(stream, 'finish');
  }
  return summary;
}
