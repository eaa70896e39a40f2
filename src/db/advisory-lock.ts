// Owns per-handle advisory locks: one poll per handle at a time across every process on the database.
import type pg from 'pg';

/** First half of the two-int advisory key; keeps our locks apart from other users of pg_advisory_lock. */
export const POLL_LOCK_CLASS = 0x5057; // "PW"

/**
 * Runs `fn` while holding a session advisory lock on a dedicated connection, or returns `locked`
 * at once when another process holds it. A killed process drops its connection, which frees the lock.
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, key: number, fn: () => Promise<T>, lockClass = POLL_LOCK_CLASS): Promise<{ locked: true } | { locked: false; value: T }> {
  const client = await pool.connect();
  let broken = false;
  try {
    const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::int, $2::int) as ok', [lockClass, key]);
    if (!res.rows[0]?.ok) return { locked: true };
    try {
      return { locked: false, value: await fn() };
    } finally {
      await client.query('select pg_advisory_unlock($1::int, $2::int)', [lockClass, key]).catch((err) => {
        // A connection that cannot unlock must not go back to the pool still holding the lock.
        broken = true;
        throw err;
      });
    }
  } finally {
    client.release(broken);
  }
}
