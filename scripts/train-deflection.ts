// Owns training of the deflection model (src/domain/classify/deflection-model.json): logistic regression over a
// brand reply's words, word pairs and link features, one binary model (deflecting or not) and one per deflecting
// kind (which kind, among deflecting replies). Data: the labelled replies of the train and dev splits, never test.
// Prints the binary model's 5-fold cross-validated F1 on train+dev. Run: npx tsx scripts/train-deflection.ts
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { features } from '../src/domain/classify/tokens.ts';
import { DEFLECTION_THRESHOLD, MODEL_KINDS, linkFeatures } from '../src/domain/classify/deflection-model.ts';
import { LinearModel } from '../src/domain/classify/linear-model.ts';
import { DEFLECTING_KINDS } from '../src/domain/types.ts';
import { LABEL_DIR, binary, readJsonl, type ReplyLabel } from './labels-lib.ts';
import { trainLogReg, type Example, type TrainOptions } from './logreg.ts';

const OPTIONS: TrainOptions = { minCount: 2, lr: 0.1, l2: 1e-3, epochs: 10, seed: 7 };
/** Deflecting replies are about one in six: weigh them up so recall is not given away. */
const POSITIVE_WEIGHT = 2;

const deflects = (r: ReplyLabel) => DEFLECTING_KINDS.includes(r.kind as never);
const example = (r: ReplyLabel, y: boolean, w = 1): Example => ({ f: [...features(r.text), ...linkFeatures(r.text)], y: y ? 1 : 0, w: y ? w : 1 });

export function trainDeflection(rows: ReplyLabel[]) {
  const deflection = trainLogReg(rows.map((r) => example(r, deflects(r), POSITIVE_WEIGHT)), OPTIONS);
  const among = rows.filter((r) => MODEL_KINDS.includes(r.kind as never));
  const kinds = Object.fromEntries(MODEL_KINDS.map((k) => [k, trainLogReg(among.map((r) => example(r, r.kind === k)), OPTIONS)]));
  return { deflection, kinds };
}

// Run as a script (the experiments in docs/quality.md import trainDeflection without training).
if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const labelled = readJsonl<ReplyLabel>(`${LABEL_DIR}replies.jsonl`).filter((r) => r.split !== 'test');
  const FOLDS = 5;
  const cv: { gold: boolean; score: number }[] = [];
  for (let k = 0; k < FOLDS; k++) {
    const m = new LinearModel(trainDeflection(labelled.filter((_, i) => i % FOLDS !== k)).deflection);
    for (const r of labelled.filter((_, i) => i % FOLDS === k)) cv.push({ gold: deflects(r), score: m.score(r.text, linkFeatures(r.text)).score });
  }
  for (const t of [0.5, DEFLECTION_THRESHOLD]) {
    const r = binary(cv, (x) => x.gold, (x) => x.score >= t);
    console.log(`model alone, ${FOLDS}-fold CV on train+dev (n=${cv.length}) at ${t}: P=${r.precision.toFixed(3)} R=${r.recall.toFixed(3)} F1=${r.f1.toFixed(3)}`);
  }

  const model = trainDeflection(labelled);
  const out = new URL('../src/domain/classify/deflection-model.json', import.meta.url).pathname;
  writeFileSync(out, `${JSON.stringify(model)}\n`);
  console.log(`model: ${Object.keys(model.deflection.weights).length} weights (+ ${MODEL_KINDS.map((k) => Object.keys(model.kinds[k].weights).length).join(' + ')} for the kinds) from ${labelled.length} replies -> ${out}`);
}
