// Owns routing for `analyze` over TweetColumns: the domain's routeTweet, with parents looked up by row in typed arrays.
import { routeTweet, type ParentInfo, type Route, type RoutedTweet } from '../domain/routing.ts';
import type { TweetColumns } from './analyze-columns.ts';

/**
 * Tweet id (a number, see TweetColumns) -> row, as an open-addressing table of typed arrays: 12 bytes a slot where a
 * Map from id strings to a record costs a hundred bytes or more per tweet.
 */
export class IdIndex {
  private keys = new Float64Array(1 << 16).fill(NaN);
  private vals = new Int32Array(1 << 16);
  private count = 0;

  private slot(id: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    const lo = id >>> 0;
    const hi = (id / 4294967296) >>> 0;
    let j = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0;
    for (j &= mask; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === id || k !== k) return j;
    }
  }

  /** The row stored for `id`, or -1. */
  get(id: number): number {
    const j = this.slot(id);
    return this.keys[j] === id ? this.vals[j]! : -1;
  }

  set(id: number, row: number): void {
    if (this.count * 2 >= this.keys.length) {
      const [keys, vals] = [this.keys, this.vals];
      this.keys = new Float64Array(keys.length * 2).fill(NaN);
      this.vals = new Int32Array(keys.length * 2);
      this.count = 0;
      for (let j = 0; j < keys.length; j++) if (keys[j] === keys[j]) this.set(keys[j]!, vals[j]!);
    }
    const j = this.slot(id);
    if (this.keys[j] !== id) {
      this.keys[j] = id;
      this.count++;
    }
    this.vals[j] = row;
  }
}

const NO_HANDLES: readonly string[] = [];

/**
 * Routes the rows of a TweetColumns in time order, exactly as the domain's TweetRouter routes Tweets (the latest routed
 * tweet of an id is the parent; TWCS has no conversation ids), but keeps per tweet only a row number in an IdIndex and
 * one reference per row (a customer row's handles, a brand row's customer), not a ParentInfo in a Map keyed by strings.
 */
export class ColumnRouter {
  unrouted = 0;
  private readonly rowOf = new IdIndex();
  /** Ids that are not numbers (see TweetColumns). */
  private readonly rowOfText = new Map<string, number>();
  /** Per row: the handles of a customer tweet, the customer of a brand tweet. */
  private readonly handles: (readonly string[] | undefined)[] = [];
  private readonly customers: (string | undefined)[] = [];
  private readonly single = new Map<string, readonly string[]>();
  /** The watched handles that answered a tweet (TWCS lookahead): the responder index of buildResponderIndex, by id. */
  private readonly responders = new IdIndex();
  private readonly respondersText = new Map<string, number>();
  private readonly responderLists: (readonly string[])[] = [];
  private readonly parent: ParentInfo = { authorId: '', isBrand: false, handles: NO_HANDLES, customerId: undefined };
  /** What routeTweet reads of the row being routed (TWCS has no in_reply_to_user_id). */
  private readonly tweet: RoutedTweet = { isBrand: false, authorId: '', authorUsername: undefined, mentions: [] };

  constructor(
    private readonly cols: TweetColumns,
    private readonly watched: (nameOrId: string) => string | undefined,
  ) {
    this.handles.length = cols.length;
    this.customers.length = cols.length;
    // As buildResponderIndex (domain/analysis.ts): brand replies in file order, each handle once per replied-to tweet.
    for (let i = 0; i < cols.length; i++) {
      if (cols.brand[i] !== 1) continue;
      const to = cols.replyTo[i]!;
      const toText = to === to ? undefined : cols.inReplyTo(i);
      if (to !== to && toText === undefined) continue;
      const h = watched(cols.authors[i]!);
      if (!h) continue;
      let at = to === to ? this.responders.get(to) : (this.respondersText.get(toText!) ?? -1);
      if (at === -1) {
        at = this.responderLists.length;
        // Nearly every tweet has one responder: lists of one handle are shared, and copied when a second one comes.
        this.responderLists.push(this.one(h));
        if (to === to) this.responders.set(to, at);
        else this.respondersText.set(toText!, at);
      } else if (!this.responderLists[at]!.includes(h)) this.responderLists[at] = [...this.responderLists[at]!, h];
    }
  }

  /** The shared list of one handle. */
  private one(handle: string): readonly string[] {
    let a = this.single.get(handle);
    if (!a) this.single.set(handle, (a = [handle]));
    return a;
  }

  private handlesOf(routes: Route[]): readonly string[] {
    if (routes.length === 0) return NO_HANDLES;
    if (routes.length > 1) return routes.map((r) => r.handle);
    return this.one(routes[0]!.handle);
  }

  /** Routes row `i`; rows must come in time order. The row's text is never decoded: routing reads only its mentions. */
  route(i: number): Route[] {
    const cols = this.cols;
    const to = cols.replyTo[i]!;
    let p = -1;
    if (to === to) p = this.rowOf.get(to);
    else {
      const toText = cols.inReplyTo(i);
      if (toText) p = this.rowOfText.get(toText) ?? -1;
    }
    let parent: ParentInfo | undefined;
    if (p !== -1) {
      parent = this.parent;
      parent.authorId = cols.authors[p]!;
      parent.isBrand = cols.brand[p] === 1;
      parent.handles = parent.isBrand ? NO_HANDLES : this.handles[p]!;
      parent.customerId = parent.isBrand ? this.customers[p] : undefined;
    }
    const id = cols.ids[i]!;
    const r = id === id ? this.responders.get(id) : (this.respondersText.get(cols.id(i)) ?? -1);
    const tweet = this.tweet;
    tweet.isBrand = cols.brand[i] === 1;
    tweet.authorId = cols.authors[i]!;
    tweet.authorUsername = tweet.isBrand ? tweet.authorId : undefined;
    tweet.mentions = cols.mentions(i);
    const routes = routeTweet(tweet, { watched: this.watched, parent, responders: r === -1 ? undefined : this.responderLists[r] });
    if (tweet.isBrand) this.customers[i] = routes[0]?.customerId ?? parent?.customerId;
    else this.handles[i] = this.handlesOf(routes);
    if (id === id) this.rowOf.set(id, i);
    else this.rowOfText.set(cols.id(i), i);
    if (routes.length === 0) this.unrouted++;
    return routes;
  }
}
