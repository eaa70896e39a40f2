import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_RULES, CUSTOMER_RULESET } from '../../src/domain/classify/customer-rules.ts';
import { REPLY_RULES, REPLY_RULESET } from '../../src/domain/classify/reply-rules.ts';
import { canOpen, firstChars, openings } from '../../src/domain/classify/rule-prefixes.ts';
import { RuleSet, type Rule } from '../../src/domain/classify/rules.ts';

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

/**
 * The plain scheme RuleSet must agree with: at each word start, one sticky alternation of the rules that can start
 * with that letter (table order) then those whose first letter is unknown; the other rules as one global regex.
 */
const byLetter = new WeakMap<readonly Rule[], Map<string, { re: RegExp; rs: Rule[] } | null>>();

function referenceScan(rules: readonly Rule[], text: string): string[] {
  const group = (rs: readonly Rule[]) => rs.map((r) => `(${r.source.startsWith('\\b') ? r.source.slice(2) : r.source})`).join('|');
  const hits: { label: string; text: string; index: number }[] = [];
  const push = (m: RegExpExecArray, rs: readonly Rule[]) => {
    const g = rs.findIndex((_, k) => m[k + 1] !== undefined);
    hits.push({ label: rs[g]!.label, text: m[g + 1]!, index: m.index });
  };
  const wordRules = rules.filter((r) => r.source.startsWith('\\b'));
  const loose = wordRules.filter((r) => !firstChars(r.source.slice(2)));
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  for (let i = 0; i < text.length; i++) {
    if (!isWord(text[i]) || isWord(text[i - 1])) continue;
    const c = text[i]!.toLowerCase();
    if (!byLetter.has(rules)) byLetter.set(rules, new Map());
    const cache = byLetter.get(rules)!;
    if (!cache.has(c)) {
      const rs = [...wordRules.filter((r) => firstChars(r.source.slice(2))?.has(c)), ...loose];
      cache.set(c, rs.length ? { re: new RegExp(group(rs), 'yi'), rs } : null);
    }
    const entry = cache.get(c);
    if (!entry) continue;
    const { re, rs } = entry;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) continue;
    push(m, rs);
    i += Math.max(0, m[0].length - 1);
  }
  const others = rules.filter((r) => !r.source.startsWith('\\b'));
  const re = new RegExp(group(others), 'gi');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    push(m, others);
    if (m[0].length === 0) re.lastIndex++;
  }
  return hits.sort((a, b) => a.index - b.index).map((h) => `${h.index}:${h.label}:${h.text}`);
}

describe('rule set scan', () => {
  const dir = new URL('../fixtures/labels/', import.meta.url).pathname;
  const texts = ['replies.jsonl', 'customers.jsonl'].flatMap((f) =>
    readFileSync(dir + f, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text),
  );
  const variants = texts.flatMap((t) => [t, t.toUpperCase(), t.slice(0, 30), `${t.slice(0, 20)}…`]);

  it('finds the same hits as the plain scheme on the reply and customer tables', () => {
    for (const [rules, rs] of [[REPLY_RULES, REPLY_RULESET], [CUSTOMER_RULES, CUSTOMER_RULESET]] as const) {
      const show = (t: string, lower?: string) => rs.scan(t, lower).map((h) => `${h.index}:${h.label}:${h.text}`).join(' | ');
      const differ = variants.filter((t) => show(t) !== referenceScan(rules, t).join(' | '));
      expect(differ.slice(0, 3).map((t) => [t, show(t), referenceScan(rules, t).join(' | ')])).toEqual([]);
      // Reading the lower-cased copy finds the same hits.
      const differLower = variants.filter((t) => show(t, t.toLowerCase()) !== show(t));
      expect(differLower.slice(0, 3)).toEqual([]);
    }
    // Every labelled text four ways through both schemes (~16k texts, 20-40 s on two cores): a wait, not a limit.
  }, 180_000);

  it('reads a lower-cased copy only where it lines up with the text', () => {
    // 'İ' lower-cases to two characters, the Kelvin sign to an ASCII 'k' (a word character, where it was none).
    for (const t of ['\u212asue you', 'I\u212a sue you', 'İsue you', 'İİİ and \u212a: I will sue you']) {
      const show = (lower?: string) => CUSTOMER_RULESET.scan(t, lower).map((h) => `${h.index}:${h.label}:${h.text}`);
      expect(show(t.toLowerCase()), t).toEqual(referenceScan(CUSTOMER_RULES, t));
      expect(show(), t).toEqual(referenceScan(CUSTOMER_RULES, t));
    }
  });

  it('tries rules anchored at the start once, in table order with the others', () => {
    const rules = [
      { label: 'at', source: '@\\w+' },
      { label: 'lead', source: '^(?:@\\w+\\s+)*(?:how|what)\\b' },
      { label: 'q', source: '\\?' },
      { label: 'empty', source: '^(?=x)' },
    ];
    const rs = new RuleSet(rules);
    for (const t of ['@a how?', 'how? what?', 'what', 'x?y', '', 'so how?', '@b @c what now?']) {
      expect(rs.scan(t).map((h) => `${h.index}:${h.label}:${h.text}`), t).toEqual(referenceScan(rules, t));
    }
  });
});
