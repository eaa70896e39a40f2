// Owns the review grade: the letter A–F from the three criteria scores, the documented formula, and the reasons behind it.
import { formatDuration } from './duration.ts';

/**
 * Grade formula (documented in the scorecard output as `grade_formula`):
 *   speed = 100 x share of cases answered within target (on the policy clock; unanswered cases past target count as misses)
 *   clarity = 100 x (0.35 x reply rate + 0.35 x (1 - deflection rate) + 0.30 x resolution rate)
 *   personality = 100 x (0.3 x signed + 0.2 x uses name + 0.3 x empathy + 0.2 x (1 - canned))
 *   overall = 0.4 x speed + 0.4 x clarity + 0.2 x personality; A >= 80, B >= 65, C >= 50, D >= 35, else F.
 */
export const GRADE_FORMULA =
  'overall = 0.4*speed + 0.4*clarity + 0.2*personality; speed = 100*share_within_target; clarity = 100*(0.35*reply_rate + 0.35*(1-deflection_rate) + 0.30*resolution_rate); personality = 100*(0.3*signed + 0.2*uses_name + 0.3*empathy + 0.2*(1-canned)); A>=80, B>=65, C>=50, D>=35, else F';

export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

/** Lowest overall score of each letter, best first. */
const FLOORS: readonly (readonly [Grade, number])[] = [
  ['A', 80],
  ['B', 65],
  ['C', 50],
  ['D', 35],
  ['F', -Infinity],
];

export function gradeOf(overall: number): Grade {
  return FLOORS.find(([, floor]) => overall >= floor)![0];
}

/** What the grade is computed from. Shares are 0..1, null when there is nothing to divide by (then they count as 0). */
export interface GradeInputs {
  cases: number;
  /** Cases whose first response was due: answered, or still unanswered past the target. */
  dueCases: number;
  /** Of those, answered within the target on the policy clock. */
  dueWithinTarget: number;
  targetSeconds: number;
  clock: 'business' | 'wall';
  /** Answered cases / cases. */
  replyRate: number | null;
  /** Deflecting replies / replies. */
  deflectionRate: number | null;
  /** Resolved cases (a resolution reply, or the customer thanked) / cases. */
  resolutionRate: number | null;
  replies: number;
  /** Shares of replies. */
  signed: number | null;
  usesName: number | null;
  empathy: number | null;
  canned: number | null;
}

export interface GradeResult {
  /** 0..100, rounded to one decimal. */
  score: { speed: number; clarity: number; personality: number; overall: number };
  /** From the exact overall score, not the rounded one. */
  grade: Grade;
  /** One line per criterion with the figures behind it, then how they add up to the letter. */
  reasons: string[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`);

/** Applies GRADE_FORMULA and says why, figure by figure, in words a support lead can check against the table. */
export function gradeCard(i: GradeInputs): GradeResult {
  const z = (v: number | null) => v ?? 0;
  const within = i.dueCases ? i.dueWithinTarget / i.dueCases : null;
  const speed = 100 * z(within);
  const clarity = 100 * (0.35 * z(i.replyRate) + 0.35 * (1 - z(i.deflectionRate)) + 0.3 * z(i.resolutionRate));
  const personality = 100 * (0.3 * z(i.signed) + 0.2 * z(i.usesName) + 0.3 * z(i.empathy) + 0.2 * (1 - z(i.canned)));
  const overall = 0.4 * speed + 0.4 * clarity + 0.2 * personality;
  const grade = gradeOf(overall);
  const score = { speed: r1(speed), clarity: r1(clarity), personality: r1(personality), overall: r1(overall) };

  const at = FLOORS.findIndex(([g]) => g === grade);
  const next = at > 0 ? FLOORS[at - 1]! : null;
  const band = (grade === 'F' ? 'F below 35' : `${grade} from ${FLOORS[at]![1]}`) + (next ? `; ${r1(next[1] - overall)} points short of ${next[0]}` : '');
  const target = formatDuration(i.targetSeconds);
  return {
    score,
    grade,
    reasons: [
      i.dueCases
        ? `speed ${score.speed}/100 (40% of the grade): ${i.dueWithinTarget} of ${i.dueCases} cases due were answered within ${target} on the ${i.clock} clock; an unanswered case past the target counts as missed`
        : `speed 0/100 (40% of the grade): no case was answered or past the ${target} target yet`,
      `clarity & efficiency ${score.clarity}/100 (40%): replied in ${pct(i.replyRate)} of ${i.cases} cases, ${pct(i.deflectionRate)} of replies deflected the customer elsewhere, ${pct(i.resolutionRate)} of cases resolved`,
      i.replies
        ? `personality ${score.personality}/100 (20%): of ${i.replies} replies ${pct(i.signed)} signed, ${pct(i.usesName)} used the customer's name, ${pct(i.empathy)} showed empathy, ${pct(i.canned)} canned`
        : `personality ${score.personality}/100 (20%): no replies to judge, so only "not canned" counts`,
      `overall ${score.overall} = 0.4 × ${score.speed} + 0.4 × ${score.clarity} + 0.2 × ${score.personality} → ${grade} (${band})`,
    ],
  };
}
