// Owns complaint scoring by the shipped logistic-regression model (trained by scripts/train-complaint.ts).
import model from './complaint-model.json' with { type: 'json' };
import { features } from './tokens.ts';

interface ModelFile {
  bias: number;
  weights: Record<string, number>;
}

const m = model as ModelFile;
// A Map is faster than property lookups on a 10k-key object literal.
const WEIGHTS = new Map<string, number>(Object.entries(m.weights));

export interface ModelScore {
  score: number;
  /** The features that pushed hardest towards "complaint", for the reasons. */
  top: string;
}

export function complaintModelScore(text: string): ModelScore {
  let z = m.bias;
  let best1 = '';
  let w1 = 0;
  let best2 = '';
  let w2 = 0;
  for (const f of features(text)) {
    const w = WEIGHTS.get(f);
    if (w === undefined) continue;
    z += w;
    if (w > w1) {
      best2 = best1;
      w2 = w1;
      best1 = f;
      w1 = w;
    } else if (w > w2) {
      best2 = f;
      w2 = w;
    }
  }
  const score = 1 / (1 + Math.exp(-z));
  const top = [best1, best2].filter(Boolean).map((f) => `'${f}'`).join(', ');
  return { score, top };
}
