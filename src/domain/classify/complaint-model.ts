// Owns complaint scoring by the shipped logistic-regression model (trained by scripts/train-complaint.ts).
import model from './complaint-model.json' with { type: 'json' };
import { words } from './tokens.ts';

interface ModelFile {
  bias: number;
  weights: Record<string, number>;
}

const m = model as ModelFile;

/** FNV-1a over a string, continuing from `h`: a bigram "a b" hashes as fnv(fnv(fnv(a), " "), b). */
function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
const SPACE = 32;

// Keyed by hash rather than by string: no bigram string is ever built on the hot path.
// Collisions among ~5k features in 2^32 are negligible; a collision would only shift a weight.
const WEIGHTS = new Map<number, number>();
const NAMES = new Map<number, string>();
for (const [f, w] of Object.entries(m.weights)) {
  const h = fnv(f);
  WEIGHTS.set(h, (WEIGHTS.get(h) ?? 0) + w);
  NAMES.set(h, f);
}

export interface ModelScore {
  score: number;
  /** The features that pushed hardest towards "complaint", for the reasons. */
  top: string;
}

export function complaintModelScore(text: string): ModelScore {
  const w = words(text);
  let z = m.bias;
  let h1 = 0;
  let w1 = 0;
  let h2 = 0;
  let w2 = 0;
  let prev = 0;
  for (let i = 0; i < w.length; i++) {
    const hu = fnv(w[i]);
    const wu = WEIGHTS.get(hu);
    if (wu !== undefined) {
      z += wu;
      if (wu > w1) [h2, w2, h1, w1] = [h1, w1, hu, wu];
      else if (wu > w2) [h2, w2] = [hu, wu];
    }
    if (i > 0) {
      const hb = fnv(w[i], Math.imul(prev ^ SPACE, 0x01000193) >>> 0);
      const wb = WEIGHTS.get(hb);
      if (wb !== undefined) {
        z += wb;
        if (wb > w1) [h2, w2, h1, w1] = [h1, w1, hb, wb];
        else if (wb > w2) [h2, w2] = [hb, wb];
      }
    }
    prev = hu;
  }
  const score = 1 / (1 + Math.exp(-z));
  const top = [h1, h2]
    .filter((h, i) => (i === 0 ? w1 : w2) > 0 && NAMES.has(h))
    .map((h) => `'${NAMES.get(h)}'`)
    .join(', ');
  return { score, top };
}
