import { describe, expect, it } from 'vitest';
import { canOpen, openings } from '../../src/domain/classify/rule-prefixes.ts';
import { RuleSet } from '../../src/domain/classify/rules.ts';

describe('rule openings', () => {
  it('follows literals, groups, optional parts and lookarounds', () => {
    expect([...openings("(?:we|I)(?:'ll| will)", 2)].sort()).toEqual(['i ', "i'", 'we']);
    expect([...openings('(?<!not )DMs?', 2)]).toEqual(['dm']);
    expect([...openings('(?:a )?ping', 2)].sort()).toEqual(['a ', 'pi']);
  });

  it('widens to "anything" where it cannot follow the pattern', () => {
    expect(openings('\\w+ directly', 2).has('')).toBe(true);
    expect([...openings('x[^ab]c', 2)]).toEqual(['x']);
    expect(canOpen(openings('x[^ab]c', 2), 'xq')).toBe(true);
    expect([...openings('8[0-2]{2}-', 3)].sort()).toEqual(['80', '81', '82']);
    expect([...openings('[’é]x', 2)]).toEqual(['\x80x']);
    expect(canOpen(openings('(?:we|I) call', 2), 'wa')).toBe(false);
  });

  it('finds the same hit as a plain alternation when rules share a first letter', () => {
    const rs = new RuleSet([
      { label: 'a', source: '\\bwe will call' },
      { label: 'b', source: '\\bwhat\\b' },
      { label: 'c', source: '\\bwe\\b' },
      { label: 'd', source: '\\b\\w+ing\\b' },
    ]);
    const hits = rs.scan('We will call you. What? we are calling');
    expect(hits.map((h) => `${h.label}:${h.text}`)).toEqual(['a:We will call', 'b:What', 'c:we', 'd:calling']);
  });
});
