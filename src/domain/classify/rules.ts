// Owns the rule engine: a table of labelled patterns compiled once into one alternation, matched in one pass.

/** One rule: a label (the kind or flag it votes for) and a regex source without capturing groups. */
export interface Rule {
  label: string;
  source: string;
}

export interface Hit {
  label: string;
  text: string;
  index: number;
}

/**
 * Compiled rule set. All rules become one global regex `(a)|(b)|...`, so a text is scanned once
 * instead of once per rule; the capturing group that matched tells which rule fired. Rule sources
 * must not contain capturing groups of their own (use `(?:...)`), or the group numbering breaks.
 */
export class RuleSet {
  private readonly re: RegExp;
  private readonly labels: string[];

  constructor(rules: readonly Rule[]) {
    for (const r of rules) {
      // Any "(" not followed by "?" (and not escaped) would add a group and shift the numbering.
      if (/(^|[^\\])\((?!\?)/.test(r.source)) throw new Error(`rule for ${r.label} has a capturing group: ${r.source}`);
    }
    this.labels = rules.map((r) => r.label);
    this.re = new RegExp(rules.map((r) => `(${r.source})`).join('|'), 'gi');
  }

  /** Every non-overlapping hit, left to right. */
  scan(text: string): Hit[] {
    const hits: Hit[] = [];
    const re = this.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const n = this.labels.length;
      for (let g = 1; g <= n; g++) {
        if (m[g] !== undefined) {
          hits.push({ label: this.labels[g - 1], text: m[g], index: m.index });
          break;
        }
      }
      if (m[0].length === 0) re.lastIndex++;
    }
    return hits;
  }
}

/** `label: 'matched text'`, the reason format a support lead reads. */
export function reason(label: string, matched: string): string {
  const t = matched.trim().replace(/\s+/g, ' ');
  return `${label}: '${t.length > 60 ? `${t.slice(0, 57)}...` : t}'`;
}
