import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_FLAGS, REPLY_KINDS } from '../../src/domain/types.ts';
import shipped from '../../src/domain/classify/deflection-model.json' with { type: 'json' };
import { trainDeflection } from '../../scripts/train-deflection.ts';

const dir = new URL('../fixtures/labels/', import.meta.url).pathname;
const load = (f: string) => readFileSync(dir + f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('labelled evaluation set', () => {
  const replies = load('replies.jsonl');
  const customers = load('customers.jsonl');

  it('has at least 400 brand replies across at least 8 brands, with valid kinds', () => {
    expect(replies.length).toBeGreaterThanOrEqual(400);
    expect(new Set(replies.map((r: { brand: string }) => r.brand)).size).toBeGreaterThanOrEqual(8);
    for (const r of replies) {
      expect(REPLY_KINDS).toContain(r.kind);
      expect(typeof r.signed).toBe('boolean');
    }
  });

  it('has at least 400 customer tweets with valid flags', () => {
    expect(customers.length).toBeGreaterThanOrEqual(400);
    for (const c of customers) for (const f of c.flags) expect(CUSTOMER_FLAGS).toContain(f);
  });

  it('has train, dev and test splits in both files and unique ids', () => {
    for (const set of [replies, customers]) {
      const splits = new Set(set.map((x: { split: string }) => x.split));
      expect([...splits].sort()).toEqual(['dev', 'test', 'train']);
      expect(new Set(set.map((x: { id: string }) => x.id)).size).toBe(set.length);
    }
  });

  it('ships the deflection model its training script makes from the train and dev replies alone', () => {
    // Relabelling a reply without retraining, or a model fitted on the test split, fails here.
    const trainDev = replies.filter((r: { split: string }) => r.split !== 'test');
    expect(trainDeflection(trainDev)).toEqual(shipped);
    expect(trainDeflection(replies)).not.toEqual(shipped);
  });
});
