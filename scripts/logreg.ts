// Owns training of the shipped logistic-regression models (complaint, deflection): AdaGrad with L2 over sparse
// string features, deterministic (seeded shuffles), pruned to the weights that matter, in the file format
// src/domain/classify/linear-model.ts reads.
import type { ModelFile } from '../src/domain/classify/linear-model.ts';

export interface Example {
  f: string[];
  y: number;
  /** Weight of the example's gradient. */
  w: number;
}

export interface TrainOptions {
  /** Features seen in fewer training examples than this are left out. */
  minCount: number;
  lr: number;
  l2: number;
  epochs: number;
  seed?: number;
  /** Weights smaller than this (absolute) are dropped from the file. */
  prune?: number;
}

export function trainLogReg(train: Example[], o: TrainOptions): ModelFile {
  const counts = new Map<string, number>();
  for (const e of train) for (const f of new Set(e.f)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [f, c] of counts) if (c >= o.minCount) vocab.set(f, vocab.size);

  const w = new Float64Array(vocab.size);
  const g2 = new Float64Array(vocab.size).fill(1e-8);
  let bias = 0;
  let bg2 = 1e-8;
  let seed = o.seed ?? 42;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const idx = train.map((e) => e.f.filter((f) => vocab.has(f)).map((f) => vocab.get(f)!));
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = train.map((_, i) => i).sort(() => rand() - 0.5);
    for (const i of order) {
      const ids = idx[i];
      let z = bias;
      for (const j of ids) z += w[j];
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - train[i].y) * train[i].w;
      for (const j of ids) {
        const gj = g + o.l2 * w[j];
        g2[j] += gj * gj;
        w[j] -= (o.lr * gj) / Math.sqrt(g2[j]);
      }
      bg2 += g * g;
      bias -= (o.lr * g) / Math.sqrt(bg2);
    }
  }
  const prune = o.prune ?? 0.05;
  const weights: Record<string, number> = {};
  for (const [f, j] of vocab) if (Math.abs(w[j]) >= prune) weights[f] = Math.round(w[j] * 1000) / 1000;
  return { bias: Math.round(bias * 1000) / 1000, weights };
}
