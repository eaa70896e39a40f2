import { describe, expect, it } from 'vitest';
import { TweetColumns } from '../../src/cli/analyze-columns.ts';
import type { Tweet } from '../../src/domain/types.ts';
import { mentionsOf } from '../../src/sources/twcs.ts';

const tweet = (id: string, ms: number, text: string, extra: Partial<Tweet> = {}): Tweet => ({ id, authorId: 'a' + id, text, createdAt: new Date(ms), mentions: [], isBrand: false, ...extra });

describe('TweetColumns', () => {
  it('gives back every field unchanged, in (time, numeric id) order', () => {
    const cols = new TweetColumns();
    const input = [
      tweet('20', 2000, '@AppleSupport my phone 📱 will not charge, tried three cables… help?', { inReplyToTweetId: '19' }),
      tweet('3', 1000, 'short'),
      tweet('007', 1000, 'leading zeros stay as written'),
      tweet('12345678901234567890', 3000, 'a lone surrogate \ud83d survives', { isBrand: true, inReplyToTweetId: '0042' }),
      tweet('10', 1000, ''),
    ];
    for (const t of input) cols.push(t);
    const out = [...cols.tweets(cols.sortedOrder())];
    // Ids compare by length, then text, as compareTweets does: '007' sorts after '10'.
    expect(out.map((t) => t.id)).toEqual(['3', '10', '007', '20', '12345678901234567890']);
    const byId = new Map(input.map((t) => [t.id, t]));
    for (const t of out) {
      const src = byId.get(t.id)!;
      expect(t.text).toBe(src.text);
      expect(t.authorId).toBe(src.authorId);
      expect(t.inReplyToTweetId).toBe(src.inReplyToTweetId);
      expect(t.createdAt.getTime()).toBe(src.createdAt.getTime());
      expect(t.isBrand).toBe(src.isBrand);
    }
  });

  it('holds more rows than its first allocation', () => {
    const cols = new TweetColumns();
    const n = 70_000;
    for (let i = 0; i < n; i++) cols.push(tweet(String(n - i), 0, `text number ${i} with some words`));
    const out = [...cols.tweets(cols.sortedOrder())];
    expect(out).toHaveLength(n);
    expect(out[0]!.id).toBe('1');
    expect(out[0]!.text).toBe(`text number ${n - 1} with some words`);
    expect(out[n - 1]!.text).toBe('text number 0 with some words');
  });

  it('finds the mentions in the UTF-8 of each text as mentionsOf does in the text', () => {
    const texts = [
      '@AppleSupport my 📱 @115933 é@x_1 @ @@double a@b',
      '@' + 'n'.repeat(60) + ' and @é not a mention, @ok…@next',
      'a lone surrogate \ud83d @still_found',
      'no mentions',
      '',
    ];
    const cols = new TweetColumns();
    texts.forEach((text, i) => cols.push(tweet(String(i + 1), 0, text)));
    texts.forEach((text, i) => expect(cols.mentions(i)).toEqual(mentionsOf(text)));
  });

  it('takes texts as their UTF-8 bytes when told, and gives them back decoded', () => {
    const text = '@AppleSupport my 📱 @115933 café…';
    const cols = new TweetColumns({ textsAsUtf8Bytes: true });
    cols.push(tweet('1', 0, Buffer.from(text, 'utf8').toString('latin1')));
    expect(cols.tweet(0).text).toBe(text);
    expect(cols.mentions(0)).toEqual(mentionsOf(text));
  });
});
