// Owns holding a whole TWCS file in memory for sorting: tweets as columns (a few hundred bytes each), rebuilt as Tweets one at a time.
import { mentionsOf } from '../sources/twcs.ts';
import type { Tweet } from '../domain/types.ts';

export class TweetColumns {
  length = 0;
  ids: string[] = [];
  authors: string[] = [];
  texts: string[] = [];
  inReplyTo: (string | undefined)[] = [];
  times = new Float64Array(1 << 16);
  brand = new Uint8Array(1 << 16);

  push(t: Tweet): void {
    const i = this.length++;
    if (i === this.times.length) {
      const times = new Float64Array(i * 2);
      times.set(this.times);
      this.times = times;
      const brand = new Uint8Array(i * 2);
      brand.set(this.brand);
      this.brand = brand;
    }
    this.ids.push(t.id);
    this.authors.push(t.authorId);
    this.texts.push(t.text);
    this.inReplyTo.push(t.inReplyToTweetId);
    this.times[i] = t.createdAt.getTime();
    this.brand[i] = t.isBrand ? 1 : 0;
  }

  private compare(a: number, b: number): number {
    const d = this.times[a]! - this.times[b]!;
    if (d !== 0) return d;
    const x = this.ids[a]!;
    const y = this.ids[b]!;
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
      link.inReplyToTweetId = this.inReplyTo[i];
      yield link;
    }
  }

  /** Tweets in `order`, each rebuilt when needed; the text of a row is released once it has been handed out. */
  *tweets(order: Uint32Array): Iterable<Tweet> {
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const text = this.texts[i]!;
      const isBrand = this.brand[i] === 1;
      const t: Tweet = { id: this.ids[i]!, authorId: this.authors[i]!, text, createdAt: new Date(this.times[i]!), mentions: mentionsOf(text), isBrand };
      const reply = this.inReplyTo[i];
      if (reply !== undefined) t.inReplyToTweetId = reply;
      if (isBrand) t.authorUsername = t.authorId;
      this.texts[i] = '';
      yield t;
    }
  }
}
