import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTwcsDate, readTwcs, TwcsFormatError, type MalformedRow } from '../../src/sources/twcs.ts';
import type { Tweet } from '../../src/domain/types.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../../shared/data/twcs-sample.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twcs-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function readAll(file: string, format?: 'twcs' | 'jsonl') {
  const tweets: Tweet[] = [];
  const malformed: MalformedRow[] = [];
  for await (const batch of readTwcs(file, { format, onMalformed: (m) => malformed.push(m), batchSize: 1000 })) tweets.push(...batch);
  return { tweets, malformed };
}

const HEADER = 'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id';

describe('parseTwcsDate', () => {
  it('parses the fixed Twitter format, with offsets', () => {
    expect(parseTwcsDate('Tue Oct 31 22:10:47 +0000 2017')).toBe(Date.parse('2017-10-31T22:10:47Z'));
    expect(parseTwcsDate('Tue Oct 31 22:10:47 +0130 2017')).toBe(Date.parse('2017-10-31T20:40:47Z'));
    expect(parseTwcsDate('Tue Oct 31 22:10:47 -0500 2017')).toBe(Date.parse('2017-11-01T03:10:47Z'));
  });
  it('rejects anything else', () => {
    for (const bad of ['2017-10-31T22:10:47Z', 'Tue Foo 31 22:10:47 +0000 2017', 'Tue Oct 31 25:10:47 +0000 2017', '']) expect(parseTwcsDate(bad)).toBeNaN();
  });
});

describe('readTwcs', () => {
  it('reads all 17,459 rows of the real sample (CRLF, embedded newlines, bare CRs)', async () => {
    const { tweets, malformed } = await readAll(SAMPLE);
    expect(malformed).toEqual([]);
    expect(tweets).toHaveLength(17_459);
    expect(tweets.filter((t) => t.isBrand)).toHaveLength(7_565);
    expect(new Set(tweets.filter((t) => t.isBrand).map((t) => t.authorId)).size).toBe(96);
    const first = tweets[0]!;
    expect(first.id).toBe('348');
    expect(first.createdAt.toISOString()).toBe('2011-08-29T03:20:05.000Z');
    expect(first.responseTweetIds).toContain('361');
    const reply = tweets.find((t) => t.id === '2983172')!;
    expect(reply).toMatchObject({ authorId: 'AskPlayStation', isBrand: true, inReplyToTweetId: '2983173', mentions: ['822638'] });
    // No id or author may carry a stray carriage return from the CRLF record ends.
    expect(tweets.every((t) => !/\r/.test(t.id + t.authorId + (t.inReplyToTweetId ?? '')))).toBe(true);
    expect(tweets.find((t) => t.id === '3399')?.text).toContain('\r');
  });

  it('reports malformed rows with their line number, skips them, and keeps going', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(
      file,
      [
        HEADER,
        '1,111,True,Tue Oct 31 22:10:47 +0000 2017,"@Brand hello\nsecond line",2,', // lines 2-3
        '2,Brand,False,Tue Oct 31 22:20:47 +0000 2017,@111 hi,,1', // line 4
        'x3,111,True,Tue Oct 31 22:30:47 +0000 2017,bad id,,', // line 5
        '4,111,True,yesterday,bad date,,', // line 6
        '5,111,True,Tue Oct 31 22:40:47 +0000 2017,too,few', // line 7
        '6,111,True,Tue Oct 31 22:50:47 +0000 2017,"fine, with comma",,2', // line 8
        '',
      ].join('\r\n'),
    );
    const { tweets, malformed } = await readAll(file);
    expect(tweets.map((t) => t.id)).toEqual(['1', '2', '6']);
    expect(tweets[0]!.text).toBe('@Brand hello\nsecond line');
    expect(tweets[0]!.mentions).toEqual(['Brand']);
    expect(malformed.map((m) => m.line)).toEqual([5, 6, 7]);
    expect(malformed[0]!.reason).toMatch(/tweet_id/);
    expect(malformed[1]!.reason).toMatch(/created_at/);
    expect(malformed[2]!.reason).toMatch(/expected 7 fields, found 6/);
  });

  it('with textAsUtf8Bytes, gives the same tweets with each text as its UTF-8 bytes, and the same malformed rows', async () => {
    const file = path.join(dir, 'utf8.csv');
    fs.writeFileSync(
      file,
      '\ufeff' +
        [
          HEADER,
          '1,111,True,Tue Oct 31 22:10:47 +0000 2017,"@Brand my 📱 café, ""quoted""\nsecond line ✓",2,', // lines 2-3
          '2,Bränd,False,Tue Oct 31 22:20:47 +0000 2017,@111 héllo…,,1', // line 4
          '\u00a03\u00a0,111,True,Tue Oct 31 22:30:47 +0000 2017,id in no-break spaces,,', // line 5
          'x4é,111,True,Tue Oct 31 22:30:47 +0000 2017,bad id,,', // line 6
          '5,111,True,Tue Oct 31 22:30:47 +0000 2017,bad reply-to,,7ü', // line 7
          '6,111,True,Tue Océ 31 22:40:47 +0000 2017,bad date,,', // line 8
          '7,111,True,Tue Oct 31 22:40:47 +0000 2017,too,féw', // line 9
        ].join('\r\n') +
        '\r\n',
    );
    const text = await readAll(file);
    const raw: Tweet[] = [];
    const rawMalformed: MalformedRow[] = [];
    for await (const batch of readTwcs(file, { textAsUtf8Bytes: true, onMalformed: (m) => rawMalformed.push(m) })) raw.push(...batch);
    expect(rawMalformed).toEqual(text.malformed);
    expect(text.malformed.map((m) => m.line)).toEqual([6, 7, 8, 9]);
    expect(raw.map((t) => ({ ...t, text: Buffer.from(t.text, 'latin1').toString('utf8') }))).toEqual(text.tweets);
    expect(text.tweets.map((t) => t.authorId)).toEqual(['111', 'Bränd', '111']);
  });

  it('fails with a message naming the missing columns', async () => {
    const file = path.join(dir, 'wrong.csv');
    fs.writeFileSync(file, 'tweet_id,author_id,text\n1,2,hello\n');
    await expect(readAll(file)).rejects.toThrow(TwcsFormatError);
    await expect(readAll(file)).rejects.toThrow(/inbound, created_at, response_tweet_id, in_response_to_tweet_id/);
  });

  it('reads JSON lines with the same fields, reporting bad lines', async () => {
    const file = path.join(dir, 'tweets.jsonl');
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ tweet_id: 1, author_id: '111', inbound: true, created_at: 'Tue Oct 31 22:10:47 +0000 2017', text: '@Brand help', response_tweet_id: '2', in_response_to_tweet_id: null }),
        '{not json',
        JSON.stringify({ tweet_id: 2, author_id: 'Brand', inbound: false, created_at: 'Tue Oct 31 22:20:47 +0000 2017', text: '@111 hi', response_tweet_id: '', in_response_to_tweet_id: 1.0 }),
      ].join('\n'),
    );
    const { tweets, malformed } = await readAll(file, 'jsonl');
    expect(tweets.map((t) => [t.id, t.isBrand, t.inReplyToTweetId])).toEqual([
      ['1', false, undefined],
      ['2', true, '1'],
    ]);
    expect(malformed).toEqual([{ line: 2, reason: 'not valid JSON' }]);
  });
});
