// Drops the tweets indexes on in_reply_to_tweet_id and conversation_id: no query filters or joins on either column
// (parents are looked up by tweets.id), yet every ingested tweet paid for both; they cost bulk ingest ~40 % of its tweet insert time.
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tweets_in_reply_to').ifExists().execute();
  await db.schema.dropIndex('tweets_conversation').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tweets_in_reply_to').ifNotExists().on('tweets').column('in_reply_to_tweet_id').execute();
  await db.schema.createIndex('tweets_conversation').ifNotExists().on('tweets').column('conversation_id').execute();
}
