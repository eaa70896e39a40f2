// Owns training of the complaint model: logistic regression over word unigrams and pairs, written as JSON.
// Data: airline-tweets.csv (crowd sentiment: negative = complaint) train split, plus the labelled TWCS
// customer tweets of the train split. Never the test split. Run: npx tsx scripts/train-complaint.ts
import { writeFileSync } from 'node:fs';
import { features } from '../src/domain/classify/tokens.ts';
import { DATA_DIR, LABEL_DIR, binary, readCsv, readJsonl, splitOf, type CustomerLabel } from './labels-lib.ts';

interface Example {
  f: string[];
  y: number;
  w: number;
  split: string;
}

const airline = new Map<string, Example>();
for (const r of readCsv(`${DATA_DIR}airline-tweets.csv`)) {
  if (!r.tweet_id || airline.has(r.tweet_id)) continue;
  airline.set(r.tweet_id, { f: features(r.text), y: r.airline_sentiment === 'negative' ? 1 : 0, w: 1, split: splitOf(r.tweet_id) });
}
const twcs = readJsonl<CustomerLabel>(`${LABEL_DIR}customers.jsonl`).map((l) => ({
  f: features(l.text),
  y: l.flags.includes('complaint') ? 1 : 0,
  // Few but in-domain: weigh them up so TWCS phrasing (brands, products, "DM") is learned.
  w: 4,
  split: l.split,
}));

const train = [...[...airline.values()].filter((e) => e.split === 'train'), ...twcs.filter((e) => e.split === 'train')];

// Vocabulary: features seen at least MIN_COUNT times in training.
const MIN_COUNT = Number(process.env.MIN_COUNT ?? 5);
const counts = new Map<string, number>();
for (const e of train) for (const f of new Set(e.f)) counts.set(f, (counts.get(f) ?? 0) + 1);
const vocab = new Map<string, number>();
for (const [f, c] of counts) if (c >= MIN_COUNT) vocab.set(f, vocab.size);

const w = new Float64Array(vocab.size);
const g2 = new Float64Array(vocab.size).fill(1e-8);
let bias = 0;
let bg2 = 1e-8;
const lr = Number(process.env.LR ?? 0.05);
const l2 = Number(process.env.L2 ?? 3e-3);
const EPOCHS = Number(process.env.EPOCHS ?? 8);
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const idx = train.map((e) => e.f.filter((f) => vocab.has(f)).map((f) => vocab.get(f)!));
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  const order = train.map((_, i) => i).sort(() => rand() - 0.5);
  for (const i of order) {
    const ids = idx[i];
    let z = bias;
    for (const j of ids) z += w[j];
    const p = 1 / (1 + Math.exp(-z));
    const g = (p - train[i].y) * train[i].w;
    for (const j of ids) {
      const gj = g + l2 * w[j];
      g2[j] += gj * gj;
      w[j] -= (lr * gj) / Math.sqrt(g2[j]);
    }
    bg2 += g * g;
    bias -= (lr * g) / Math.sqrt(bg2);
  }
}

const weights: Record<string, number> = {};
for (const [f, j] of vocab) if (Math.abs(w[j]) >= 0.05) weights[f] = Math.round(w[j] * 1000) / 1000;
const out = new URL('../src/domain/classify/complaint-model.json', import.meta.url).pathname;
writeFileSync(out, `${JSON.stringify({ bias: Math.round(bias * 1000) / 1000, weights })}\n`);

const score = (f: string[]) => {
  let z = bias;
  for (const x of f) {
    const j = vocab.get(x);
    if (j !== undefined && Math.abs(w[j]) >= 0.05) z += w[j];
  }
  return 1 / (1 + Math.exp(-z));
};
const report = (name: string, xs: Example[]) => {
  const r = binary(xs, (e) => e.y === 1, (e) => score(e.f) >= 0.5);
  console.log(`${name}: n=${xs.length} P=${r.precision.toFixed(3)} R=${r.recall.toFixed(3)} F1=${r.f1.toFixed(3)}`);
};
console.log(`model: ${Object.keys(weights).length} weights -> ${out}`);
report('airline train (fit)', [...airline.values()].filter((e) => e.split === 'train'));
report('airline dev', [...airline.values()].filter((e) => e.split === 'dev'));
report('twcs dev (model only)', twcs.filter((e) => e.split === 'dev'));
