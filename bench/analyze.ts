// Benchmarks `replywatch analyze`: scales the real TWCS sample to N rows (copies with shifted ids, customers and times) and times it.
// Usage: npx tsx bench/analyze.ts [rows=1000000] [--workers=N] [--keep]   (the file goes to bench/.data/, which git ignores)
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { analyzeFile, defaultWorkers } from '../src/cli/analyze.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../../shared/data/twcs-sample.csv');
const rowsWanted = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const DATA = path.resolve(import.meta.dirname, '.data');
const file = path.join(DATA, `twcs-${rowsWanted}.csv`);

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
function twitterDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}
const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function build() {
  const rows = Papa.parse<string[]>(fs.readFileSync(SAMPLE, 'utf8'), { skipEmptyLines: true }).data;
  const header = rows.shift()!;
  const ID_STEP = 10_000_000;
  const CUSTOMER_STEP = 10_000_000;
  const TIME_STEP = 70 * 86_400_000; // copies follow each other in time, like months of a bigger corpus
  const shiftIds = (s: string, k: number) => (s ? s.split(',').map((x) => String(Number(x) + k * ID_STEP)).join(',') : '');
  fs.mkdirSync(DATA, { recursive: true });
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, header.join(',') + '\r\n');
  let written = 0;
  for (let k = 0; written < rowsWanted; k++) {
    const lines: string[] = [];
    for (const r of rows) {
      if (written >= rowsWanted) break;
      const [id, author, inbound, created, text, responses, inReplyTo] = r as [string, string, string, string, string, string, string];
      const customer = /^\d+$/.test(author) ? String(Number(author) + k * CUSTOMER_STEP) : author;
      const shiftedText = k === 0 ? text : text.replace(/@(\d+)/g, (_, n: string) => `@${Number(n) + k * CUSTOMER_STEP}`);
      const ms = Date.parse(created.replace(/^\w+ (\w+) (\d+) ([\d:]+) \+0000 (\d+)$/, '$1 $2 $4 $3 UTC')) + k * TIME_STEP;
      lines.push([String(Number(id) + k * ID_STEP), customer, inbound, twitterDate(ms), quote(shiftedText), quote(shiftIds(responses, k)), shiftIds(inReplyTo, k)].join(','));
      written++;
    }
    fs.writeSync(out, lines.join('\r\n') + '\r\n');
  }
  fs.closeSync(out);
}

if (!fs.existsSync(file)) {
  const t = performance.now();
  build();
  console.log(`built ${file} (${rowsWanted.toLocaleString('en-US')} rows, ${(fs.statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)}s`);
}

let peakRss = 0;
const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const workers = Number(process.argv.find((a) => a.startsWith('--workers='))?.slice(10) ?? defaultWorkers());
const cpu0 = process.cpuUsage();
const { summary } = await analyzeFile(file, { out: path.join(DATA, `analyze-out-${process.pid}`), stderr: process.stderr, workers });
const cpu = process.cpuUsage(cpu0);
clearInterval(timer);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
console.log(
  `analyze: ${summary.tweets.toLocaleString('en-US')} tweets in ${summary.seconds}s = ${Math.round(summary.tweets / summary.seconds).toLocaleString('en-US')} tweets/s; ` +
    `${summary.cases.toLocaleString('en-US')} cases; ${workers} worker threads; CPU of all threads ${((cpu.user + cpu.system) / 1e6).toFixed(1)}s; peak RSS ${(peakRss / 1e6).toFixed(0)} MB`,
);
if (!process.argv.includes('--keep')) fs.rmSync(path.join(DATA, `analyze-out-${process.pid}`), { recursive: true, force: true });
