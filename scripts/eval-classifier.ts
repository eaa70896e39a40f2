// Owns the classifier evaluation: per-class precision/recall/F1 on a split of the labelled set.
// Usage: npx tsx scripts/eval-classifier.ts [--split test|dev|train|traindev] [--write] [--errors]
// --write replaces the figures between the markers in docs/quality.md (only for the test split).
import { readFileSync, writeFileSync } from 'node:fs';
import { classifyCustomer, classifyReply } from '../src/domain/classify/index.ts';
import { CUSTOMER_FLAGS, DEFLECTING_KINDS, REPLY_KINDS } from '../src/domain/types.ts';
import { complaintModelScore } from '../src/domain/classify/complaint-model.ts';
import { DATA_DIR, LABEL_DIR, binary, readCsv, readJsonl, splitOf, type CustomerLabel, type Prf, type ReplyLabel } from './labels-lib.ts';

const args = process.argv.slice(2);
const splitArg = args.includes('--split') ? args[args.indexOf('--split') + 1] : 'test';
const inSplit = (s: string) => (splitArg === 'traindev' ? s !== 'test' : s === splitArg);
const replies = readJsonl<ReplyLabel>(`${LABEL_DIR}replies.jsonl`).filter((r) => inSplit(r.split));
const customers = readJsonl<CustomerLabel>(`${LABEL_DIR}customers.jsonl`).filter((c) => inSplit(c.split));

const f = (x: number) => x.toFixed(2);
const row = (name: string, r: Prf) => `| ${name} | ${r.support} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.f1)} |`;
const head = '| class | support | precision | recall | F1 |\n|---|---|---|---|---|';
const out: string[] = [];

const rp = replies.map((r) => ({ gold: r, pred: classifyReply(r.text) }));
out.push(`### Brand replies (${splitArg} split, n = ${replies.length}, ${new Set(replies.map((r) => r.brand)).size} brands)`, '', head);
for (const k of REPLY_KINDS) out.push(row(k, binary(rp, (x) => x.gold.kind === k, (x) => x.pred.kind === k)));
const acc = rp.filter((x) => x.gold.kind === x.pred.kind).length / Math.max(1, rp.length);
const defl = binary(rp, (x) => DEFLECTING_KINDS.includes(x.gold.kind as never), (x) => DEFLECTING_KINDS.includes(x.pred.kind));
out.push(row('**deflection** (channel, team, link_only, truncated)', defl));
// The test split holds two samples labelled by different people (docs/quality.md): each one's figure, so a gap shows.
const bySource = new Map<string, typeof rp>();
for (const x of rp) bySource.set(x.gold.source ?? 'first sample', [...(bySource.get(x.gold.source ?? 'first sample') ?? []), x]);
if (bySource.size > 1)
  for (const [source, xs] of bySource)
    out.push(row(`deflection, ${source} only`, binary(xs, (x) => DEFLECTING_KINDS.includes(x.gold.kind as never), (x) => DEFLECTING_KINDS.includes(x.pred.kind))));
for (const p of ['signed', 'uses_name', 'empathy'] as const)
  out.push(row(`personality: ${p}`, binary(rp, (x) => x.gold[p], (x) => x.pred.personality.includes(p))));
out.push('', `Reply kind accuracy: ${f(acc)}.`, '');

const cp = customers.map((c) => ({ gold: c, pred: classifyCustomer(c.text, { awaitingReply: c.awaiting_reply }) }));
out.push(`### Customer tweets (${splitArg} split, n = ${customers.length})`, '', head);
for (const k of CUSTOMER_FLAGS) out.push(row(k, binary(cp, (x) => x.gold.flags.includes(k), (x) => x.pred.flags.includes(k))));
const modelOnly = binary(cp, (x) => x.gold.flags.includes('complaint'), (x) => complaintModelScore(x.gold.text).score >= 0.5);
out.push(row('complaint, model alone (no rules)', modelOnly));

// Airline tweets: crowd labels, negative = complaint; only this split of them (the model trains on `train`).
const seen = new Set<string>();
const airline = readCsv(`${DATA_DIR}airline-tweets.csv`).filter((r) => r.tweet_id && !seen.has(r.tweet_id) && seen.add(r.tweet_id) && inSplit(splitOf(r.tweet_id)));
const air = binary(airline, (r) => r.airline_sentiment === 'negative', (r) => classifyCustomer(r.text).flags.includes('complaint'));
out.push(row(`complaint on airline-tweets.csv (crowd labels, ${splitArg} split)`, air));
out.push('');

const text = out.join('\n');
console.log(text);
if (args.includes('--errors')) {
  for (const x of rp) if (x.gold.kind !== x.pred.kind) console.log(`R ${x.gold.kind} <- ${x.pred.kind} | ${x.gold.text.replace(/\n/g, ' ')} | ${x.pred.reasons.join('; ')}`);
  for (const x of cp) {
    const g = x.gold.flags.join(',');
    const p = x.pred.flags.join(',');
    if (g !== p) console.log(`C [${g}] <- [${p}] ${x.pred.complaintScore} | ${x.gold.text.replace(/\n/g, ' ')}`);
  }
}
if (args.includes('--write')) {
  if (splitArg !== 'test') throw new Error('--write only records the held-out test split');
  const doc = new URL('../docs/quality.md', import.meta.url).pathname;
  const md = readFileSync(doc, 'utf8');
  const next = md.replace(/<!-- eval:start -->[\s\S]*<!-- eval:end -->/, `<!-- eval:start -->\n${text}\n<!-- eval:end -->`);
  writeFileSync(doc, next);
  console.log(`wrote ${doc}`);
}
