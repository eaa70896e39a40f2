// Keeps the dashboard's grade (web/src/grade.ts) on the analyzer's thresholds, so the page and `replywatch report` agree.
import { describe, expect, it } from 'vitest';
import { grade } from '../../web/src/grade.ts';
import { gradeOf } from '../../src/domain/scorecard.ts';

describe('dashboard grade', () => {
  it('gives the analyzer’s letter for every overall score', () => {
    // All shares at one value v: speed = clarity-ish = personality-ish, which walks the overall score across every boundary.
    for (let v = 0; v <= 1.0001; v += 0.01) {
      const g = grade({ withinTarget: v, replyRate: v, deflectionRate: 1 - v, resolutionRate: v, signed: v, usesName: v, empathy: v, canned: 1 - v });
      expect(g.grade, `v=${v.toFixed(2)} overall=${g.overall}`).toBe(gradeOf(g.overall));
    }
  });

  it('weights speed and clarity 40% each and personality 20%', () => {
    const g = grade({ withinTarget: 1, replyRate: 1, deflectionRate: 0, resolutionRate: 1, signed: 0, usesName: 0, empathy: 0, canned: 1 });
    expect(g.speed).toBe(100);
    expect(g.clarity).toBeCloseTo(100);
    expect(g.personality).toBe(0);
    expect(g.overall).toBeCloseTo(80);
    expect(g.grade).toBe('A');
    expect(grade({ withinTarget: 0.5, replyRate: 1, deflectionRate: 0.5, resolutionRate: 0, signed: 1, usesName: 1, empathy: 1, canned: 0 }).overall).toBeCloseTo(0.4 * 50 + 0.4 * 52.5 + 0.2 * 100);
  });
});
