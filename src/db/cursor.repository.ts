// Owns per-handle cursors: the since_id of each timeline and the page in flight, written in the ingest transaction.
import type { Db } from './connect.ts';

export async function getCursor(db: Db, handleId: number, timeline: string): Promise<string | undefined> {
  const row = await db.selectFrom('cursors').select('position').where('handle_id', '=', handleId).where('timeline', '=', timeline).executeTakeFirst();
  return row?.position;
}

export async function setCursor(db: Db, handleId: number, timeline: string, position: string): Promise<void> {
  await db
    .insertInto('cursors')
    .values({ handle_id: handleId, timeline, position })
    .onConflict((oc) => oc.columns(['handle_id', 'timeline']).doUpdateSet({ position, updated_at: new Date() }))
    .execute();
}

export async function deleteCursor(db: Db, handleId: number, timeline: string): Promise<void> {
  await db.deleteFrom('cursors').where('handle_id', '=', handleId).where('timeline', '=', timeline).execute();
}

const THROUGH = ':through';

/** The cursor holding the time up to which a timeline ('mentions', 'tweets', 'search') has been read completely. */
export function throughCursor(timeline: string): string {
  return timeline + THROUGH;
}

export function isThroughCursor(cursor: string): boolean {
  return cursor.endsWith(THROUGH);
}

/** Times stored in the given cursors of a handle (the `<timeline>:through` watermarks), by timeline name. */
export async function cursorTimes(db: Db, handleId: number, timelines: string[]): Promise<Map<string, Date>> {
  if (!timelines.length) return new Map();
  const rows = await db.selectFrom('cursors').select(['timeline', 'position']).where('handle_id', '=', handleId).where('timeline', 'in', timelines).execute();
  return new Map(rows.map((r) => [r.timeline, new Date(r.position)]));
}
