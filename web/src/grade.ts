// Owns the review grade: the analyzer's documented formula (src/domain/scorecard.ts GRADE_FORMULA), applied to the API's figures.

export interface GradeInputs {
  withinTarget: number | null;
  replyRate: number | null;
  deflectionRate: number | null;
  resolutionRate: number | null;
  signed: number | null;
  usesName: number | null;
  empathy: number | null;
  canned: number | null;
}

export interface Grade {
  speed: number;
  clarity: number;
  personality: number;
  overall: number;
  grade: 'A' | 'B' | 'C' | 'D' | 'F';
}

/**
 * overall = 0.4*speed + 0.4*clarity + 0.2*personality; speed = 100*share_within_target;
 * clarity = 100*(0.35*reply_rate + 0.35*(1-deflection_rate) + 0.30*resolution_rate);
 * personality = 100*(0.3*signed + 0.2*uses_name + 0.3*empathy + 0.2*(1-canned)); A>=80, B>=65, C>=50, D>=35, else F.
 */
export function grade(i: GradeInputs): Grade {
  const z = (v: number | null) => v ?? 0;
  const speed = 100 * z(i.withinTarget);
  const clarity = 100 * (0.35 * z(i.replyRate) + 0.35 * (1 - z(i.deflectionRate)) + 0.3 * z(i.resolutionRate));
  const personality = 100 * (0.3 * z(i.signed) + 0.2 * z(i.usesName) + 0.3 * z(i.empathy) + 0.2 * (1 - z(i.canned)));
  const overall = 0.4 * speed + 0.4 * clarity + 0.2 * personality;
  const letter = overall >= 80 ? 'A' : overall >= 65 ? 'B' : overall >= 50 ? 'C' : overall >= 35 ? 'D' : 'F';
  return { speed, clarity, personality, overall, grade: letter };
}
