// Owns the opaque keyset cursors of list endpoints: base64url JSON of the last row's (sort key, id).
import { ValidationError } from '../errors.ts';

export interface Keyset {
  /** The sort key exactly as PostgreSQL printed it (timestamps keep their microseconds). */
  key: string;
  id: string;
}

export function encodeCursor(kind: string, k: Keyset): string {
  return Buffer.from(JSON.stringify([kind, k.key, k.id]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v[0] === kind && typeof v[1] === 'string' && typeof v[2] === 'string' && /^\d+$/.test(v[2])) {
      return { key: v[1], id: v[2] };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new ValidationError('invalid query parameter "cursor": pass the next_cursor of a previous page of this same listing', [
    { path: ['cursor'], message: 'not a cursor of this listing' },
  ]);
}

/** Cuts the extra row fetched to learn whether another page exists and builds its cursor. */
export function page<T extends { id: string }>(rows: T[], limit: number, kind: string, keyOf: (row: T) => string): { data: T[]; next_cursor: string | null } {
  if (rows.length <= limit) return { data: rows, next_cursor: null };
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: encodeCursor(kind, { key: keyOf(last), id: last.id }) };
}
