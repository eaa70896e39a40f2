// Owns drawing the evaluation sample from twcs-sample.csv and writing rule proposals for a person to review.
// Output: /tmp/replywatch-labels/{replies,customers}.proposed.jsonl. The reviewed files live in test/fixtures/labels/.
// Run: npx tsx scripts/sample-labels.ts
// `--extend SPLIT N [--cap C] [--min-brand M]` draws N more brand replies of one split instead (not yet labelled, at
// most C a brand, default 15, from brands with at least M replies in the sample, default 40, no proposal next to
// them: labelled blind) into /tmp/replywatch-labels/replies.SPLIT-extension.jsonl.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { classifyCustomer, classifyReply } from '../src/domain/classify/index.ts';
import { DATA_DIR, LABEL_DIR, readCsv, splitOf } from './labels-lib.ts';

let seed = 20171031;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const shuffle = <T>(xs: T[]) => xs.map((x) => [rand(), x] as const).sort((a, b) => a[0] - b[0]).map((p) => p[1]);

const rows = readCsv(`${DATA_DIR}twcs-sample.csv`);
const byId = new Map(rows.map((r) => [r.tweet_id, r]));
const brands = rows.filter((r) => r.inbound === 'False');
const perBrand = new Map<string, number>();
for (const r of brands) perBrand.set(r.author_id, (perBrand.get(r.author_id) ?? 0) + 1);

const extension = process.argv.indexOf('--extend');
if (extension !== -1) {
  const split = process.argv[extension + 1] ?? 'test';
  const want = Number(process.argv[extension + 2] ?? 200);
  const option = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
  const cap = option('--cap', 15);
  const minBrand = option('--min-brand', 40);
  const file = `${LABEL_DIR}replies.jsonl`;
  const labelled = new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id) : []);
  // A seed of its own per split: the first sample's draw order is not replayed.
  seed = 20261130 + ['test', 'dev', 'train'].indexOf(split);
  const ext = [];
  const per = new Map<string, number>();
  for (const r of shuffle(brands)) {
    if (ext.length >= want) break;
    if (labelled.has(r.tweet_id) || splitOf(r.tweet_id) !== split || (perBrand.get(r.author_id) ?? 0) < minBrand || (per.get(r.author_id) ?? 0) >= cap) continue;
    per.set(r.author_id, (per.get(r.author_id) ?? 0) + 1);
    ext.push({ id: r.tweet_id, brand: r.author_id, text: r.text, split });
  }
  mkdirSync('/tmp/replywatch-labels', { recursive: true });
  writeFileSync(`/tmp/replywatch-labels/replies.${split}-extension.jsonl`, ext.map((x) => JSON.stringify(x)).join('\n') + '\n');
  console.log(`${split} extension: ${ext.length} replies from ${per.size} brands`);
  process.exit(0);
}

// Replies: brands with >= 40 tweets, at most 20 each, so no single brand's style dominates.
const replies = [];
const taken = new Map<string, number>();
for (const r of shuffle(brands)) {
  if ((perBrand.get(r.author_id) ?? 0) < 40 || (taken.get(r.author_id) ?? 0) >= 20) continue;
  taken.set(r.author_id, (taken.get(r.author_id) ?? 0) + 1);
  const c = classifyReply(r.text);
  replies.push({ id: r.tweet_id, brand: r.author_id, text: r.text, kind: c.kind, signed: c.personality.includes('signed'), uses_name: c.personality.includes('uses_name'), empathy: c.personality.includes('empathy'), split: splitOf(r.tweet_id) });
  if (replies.length >= 460) break;
}

// Customers: a uniform random sample (texts that are only @mentions skipped), plus tweets caught by a
// deliberately broad keyword net so the rare flags (nudge, churn threat, escalation) have support.
const customers = rows.filter((r) => r.inbound === 'True' && /[\p{L}]{3}/u.test(r.text.replace(/@\w+/g, '')));
const brandOf = (r: Record<string, string>) => {
  const parent = byId.get(r.in_response_to_tweet_id);
  if (parent && parent.inbound === 'False') return parent.author_id;
  const m = /@([A-Za-z_]\w*)/.exec(r.text);
  return m ? m[1] : '';
};
const awaiting = (r: Record<string, string>) => byId.get(r.in_response_to_tweet_id)?.author_id === r.author_id;
const RARE = /cancel|switch|leav|another (?:provider|carrier|bank)|never again|fcc|cfpb|ofcom|bbb|ceo|lawyer|sue|news|press|still waiting|any update|hello\?|anyone|no (?:reply|response)|\*|ignor|\?\?/i;
const picked = new Set<string>();
const out = [];
for (const r of shuffle(customers)) {
  if (out.length >= 400) break;
  picked.add(r.tweet_id);
  out.push({ r, source: 'random' });
}
let rare = 0;
for (const r of shuffle(customers)) {
  if (rare >= 80) break;
  if (picked.has(r.tweet_id) || !RARE.test(r.text)) continue;
  picked.add(r.tweet_id);
  out.push({ r, source: 'keyword' });
  rare++;
}
const cust = out.map(({ r, source }) => {
  const aw = awaiting(r);
  const c = classifyCustomer(r.text, { awaitingReply: aw });
  return { id: r.tweet_id, brand: brandOf(r), text: r.text, awaiting_reply: aw, flags: c.flags, source, split: splitOf(r.tweet_id) };
});

mkdirSync('/tmp/replywatch-labels', { recursive: true });
writeFileSync('/tmp/replywatch-labels/replies.proposed.jsonl', replies.map((x) => JSON.stringify(x)).join('\n') + '\n');
writeFileSync('/tmp/replywatch-labels/customers.proposed.jsonl', cust.map((x) => JSON.stringify(x)).join('\n') + '\n');
console.log(`replies ${replies.length} from ${taken.size} brands; customers ${cust.length} (${rare} keyword)`);
