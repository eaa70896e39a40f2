// Owns the X API v2 shape of generated tweets: one post with its author expansion, as a timeline page carries it.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { GeneratedTweet } from '../domain/corpus-generator.ts';
import type { XPage, XPost } from '../domain/x-tweet.ts';

export interface XFixtureUser {
  id: string;
  username: string;
  name?: string;
}

const MENTION = /@(\w{1,50})/g;

/** Customers keep their numeric TWCS id as both user id and username, so "@123" in a text names a real user. */
function userOf(authorId: string, userIds: Map<string, string>): XFixtureUser {
  const brandId = userIds.get(authorId);
  return brandId ? { id: brandId, username: authorId, name: authorId } : { id: authorId, username: authorId, name: `Customer ${authorId}` };
}

export function toXPost(t: GeneratedTweet, userIds: Map<string, string>): XPost {
  const author = userOf(t.authorId, userIds);
  const mentions: NonNullable<NonNullable<XPost['entities']>['mentions']> = [];
  for (const m of t.text.matchAll(MENTION)) {
    const username = m[1]!;
    mentions.push({ start: m.index!, end: m.index! + username.length + 1, username, id: userIds.get(username) ?? (/^\d+$/.test(username) ? username : undefined) });
  }
  const post: XPost = {
    id: t.id,
    text: t.text,
    author_id: author.id,
    created_at: new Date(t.createdAtMs).toISOString(),
    conversation_id: t.conversationId,
    edit_history_tweet_ids: [t.id],
  };
  if (mentions.length) post.entities = { mentions };
  if (t.inReplyToId) {
    post.referenced_tweets = [{ type: 'replied_to', id: t.inReplyToId }];
    post.in_reply_to_user_id = userOf(t.inReplyToAuthor!, userIds).id;
  }
  return post;
}

/** One generated tweet as a one-post X API v2 page with the `users` expansion. */
export function toXPage(t: GeneratedTweet, userIds: Map<string, string>): XPage {
  return { data: [toXPost(t, userIds)], includes: { users: [userOf(t.authorId, userIds)] } };
}

/**
 * Reads a file written by `replywatch gen --format x-json` back into the `{ users, posts }` fixture the fake X
 * server serves: the handles from the first line, every author from the pages' `users` expansion.
 */
export async function readXFixture(file: string): Promise<{ users: XFixtureUser[]; posts: XPost[] }> {
  const users = new Map<string, XFixtureUser>();
  const posts: XPost[] = [];
  let first = true;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { users?: XFixtureUser[] } & XPage;
    if (first) {
      first = false;
      for (const u of o.users ?? []) users.set(u.id, u);
      continue;
    }
    for (const u of o.includes?.users ?? []) if (!users.has(u.id)) users.set(u.id, u);
    for (const p of o.data ?? []) posts.push(p);
  }
  return { users: [...users.values()], posts };
}
