// Owns training of the complaint model: logistic regression over word unigrams and pairs, written as JSON.
// Data: airline-tweets.csv (crowd sentiment: negative = complaint) train split, plus the labelled TWCS
// customer tweets of the train split. Never the test split. Run: npx tsx scripts/train-complaint.ts
import { writeFileSync } from 'node:fs';
import { features } from '../src/domain/classify/tokens.ts';
import { LinearModel } from '../src/domain/classify/linear-model.ts';
import { DATA_DIR, LABEL_DIR, binary, readCsv, readJsonl, splitOf, type CustomerLabel } from './labels-lib.ts';
import { trainLogReg, type Example } from './logreg.ts';

type Labelled = Example & { text: string; split: string };

const airline = new Map<string, Labelled>();
for (const r of readCsv(`${DATA_DIR}airline-tweets.csv`)) {
  if (!r.tweet_id || airline.has(r.tweet_id)) continue;
  airline.set(r.tweet_id, { text: r.text, f: features(r.text), y: r.airline_sentiment === 'negative' ? 1 : 0, w: 1, split: splitOf(r.tweet_id) });
}
const twcs: Labelled[] = readJsonl<CustomerLabel>(`${LABEL_DIR}customers.jsonl`).map((l) => ({
  text: l.text,
  f: features(l.text),
  y: l.flags.includes('complaint') ? 1 : 0,
  // Few but in-domain: weigh them up so TWCS phrasing (brands, products, "DM") is learned.
  w: 4,
  split: l.split,
}));

const train = [...[...airline.values()].filter((e) => e.split === 'train'), ...twcs.filter((e) => e.split === 'train')];

const model = trainLogReg(train, {
  minCount: Number(process.env.MIN_COUNT ?? 5),
  lr: Number(process.env.LR ?? 0.05),
  l2: Number(process.env.L2 ?? 3e-3),
  epochs: Number(process.env.EPOCHS ?? 8),
});
const out = new URL('../src/domain/classify/complaint-model.json', import.meta.url).pathname;
writeFileSync(out, `${JSON.stringify(model)}\n`);

const scorer = new LinearModel(model);
const score = (text: string) => scorer.score(text).score;
const report = (name: string, xs: Labelled[]) => {
  const r = binary(xs, (e) => e.y === 1, (e) => score(e.text) >= 0.5);
  console.log(`${name}: n=${xs.length} P=${r.precision.toFixed(3)} R=${r.recall.toFixed(3)} F1=${r.f1.toFixed(3)}`);
};
console.log(`model: ${Object.keys(model.weights).length} weights -> ${out}`);
report('airline train (fit)', [...airline.values()].filter((e) => e.split === 'train'));
report('airline dev', [...airline.values()].filter((e) => e.split === 'dev'));
report('twcs dev (model only)', twcs.filter((e) => e.split === 'dev'));
