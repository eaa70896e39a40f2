import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { seedHandle } from '../sla/helpers.ts';
import { clientTransaction } from '../../src/db/connect.ts';
import { upsertCases, type NewSlaCaseRow } from '../../src/db/case.repository.ts';

let t: TestDb;
let handleId: number;
beforeAll(async () => {
  t = await createTestDb();
  ({ handleId } = await seedHandle(t.db));
});
afterAll(async () => {
  await t.destroy();
});

const at = new Date('2026-03-02T10:00:00Z');
function row(key: string, state: 'open' | 'closed'): NewSlaCaseRow {
  return {
    case_key: key,
    handle_id: handleId,
    customer_id: `cust-${key}`,
    customer_username: null,
    opening_tweet_id: String(1000 + key.charCodeAt(0)),
    opened_at: at,
    state,
    closed_at: state === 'closed' ? at : null,
    close_reason: state === 'closed' ? 'thanks' : null,
    first_customer_at: at,
    last_customer_at: at,
    first_brand_at: null,
    last_brand_at: null,
    awaiting_since: null,
    first_response_seconds: null,
    first_response_business_seconds: null,
    next_response_seconds: '[]',
    next_response_business_seconds: '[]',
    customer_tweets: 1,
    brand_replies: 0,
    nudges: 0,
    complaint_score: 0,
    flags: [],
    summary: JSON.stringify({ caseId: key }),
    team_id: null,
    policy_name: null,
    tier: 'standard',
    wait_metric: null,
    wait_seq: -1,
    next_due_at: null,
  };
}

const upsert = (rows: NewSlaCaseRow[], stored: (key: string) => boolean) => clientTransaction(t.db, (trx, client) => upsertCases(trx, client, rows, at, stored));
const stateOf = async (key: string) => (await t.db.selectFrom('cases').select(['id', 'state']).where('case_key', '=', key).executeTakeFirstOrThrow());

describe('case upserts', () => {
  it('copies new cases in with ids ascending in key order, updates stored ones in place, and survives a key wrongly taken for new', async () => {
    const first = await upsert([row('c', 'open'), row('a', 'open'), row('b', 'open')], () => false);
    expect(Number(first.get('a'))).toBeLessThan(Number(first.get('b')));
    expect(Number(first.get('b'))).toBeLessThan(Number(first.get('c')));
    expect(await stateOf('b')).toEqual({ id: first.get('b'), state: 'open' });

    // 'b' is stored and said so: updated under its id; 'd' is new.
    const second = await upsert([row('b', 'closed'), row('d', 'open')], (key) => key === 'b');
    expect(second.get('b')).toBe(first.get('b'));
    expect(await stateOf('b')).toEqual({ id: first.get('b'), state: 'closed' });
    expect(await stateOf('d')).toEqual({ id: second.get('d'), state: 'open' });

    // 'c' is stored but passed as new: the copy meets its key, rolls back, and the upsert keeps every row's id.
    const third = await upsert([row('c', 'closed'), row('e', 'open')], () => false);
    expect(third.get('c')).toBe(first.get('c'));
    expect(await stateOf('c')).toEqual({ id: first.get('c'), state: 'closed' });
    expect(await stateOf('e')).toEqual({ id: third.get('e'), state: 'open' });
    const n = await t.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(5);
  });
});
