// Owns the classification benchmark: tweets per second per core over the real TWCS sample texts.
// Run: npx tsx bench/classify.ts [rounds]   (single thread, so the figure is per core)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import Papa from 'papaparse';
import { classifyCustomer, classifyReply } from '../src/domain/classify/index.ts';

const file = process.env.REPLYWATCH_TWCS ?? new URL('../../shared/data/twcs-sample.csv', import.meta.url).pathname;
const rows = Papa.parse<Record<string, string>>(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true }).data;
const tweets = rows.map((r) => ({ brand: r.inbound === 'False', text: r.text }));
const rounds = Number(process.argv[2] ?? 10);

let sink = 0;
function pass(): void {
  for (const t of tweets) {
    if (t.brand) sink += classifyReply(t.text).reasons.length;
    else sink += classifyCustomer(t.text).complaintScore;
  }
}

pass(); // warm-up: JIT and regex compilation
const perRound: number[] = [];
const cpuPerRound: number[] = [];
for (let i = 0; i < rounds; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  pass();
  const c = process.cpuUsage(c0);
  perRound.push(Number(process.hrtime.bigint() - t0) / 1e9);
  // CPU time of this thread's process: on a shared machine wall time also counts waiting for a core.
  cpuPerRound.push((c.user + c.system) / 1e6);
}
cpuPerRound.sort((a, b) => a - b);
const cpuMedian = cpuPerRound[Math.floor(cpuPerRound.length / 2)];
perRound.sort((a, b) => a - b);
const median = perRound[Math.floor(perRound.length / 2)];
const brands = tweets.filter((t) => t.brand).length;
console.log(
  JSON.stringify({
    tweets: tweets.length,
    brandReplies: brands,
    customerTweets: tweets.length - brands,
    rounds,
    medianSecondsPerRound: Number(median.toFixed(4)),
    tweetsPerSecond: Math.round(tweets.length / median),
    bestTweetsPerSecond: Math.round(tweets.length / perRound[0]),
    tweetsPerCpuSecond: Math.round(tweets.length / cpuMedian),
    loadAverage: os.loadavg()[0],
    node: process.version,
    checksum: Math.round(sink),
  }),
);
