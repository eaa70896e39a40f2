// Child process for the crash test: analyzes every handle in small batches and prints a line per committed batch, until it is killed.
import { createDb } from '../../src/db/connect.ts';
import { CannedDetector } from '../../src/domain/classify/index.ts';
import { analyzeHandle } from '../../workers/analyze-handle.ts';

const [url, asOf, ...handles] = process.argv.slice(2);
const { db } = createDb(url, 2);
const canned = new CannedDetector();
for (const h of handles) {
  for (;;) {
    const r = await analyzeHandle(db, Number(h), { now: () => new Date(Number(asOf)), canned, batchSize: 200, maxBatches: 1 });
    if (r.tweets) process.stdout.write(`batch ${h} ${r.tweets}\n`);
    if (!r.more) break;
  }
}
process.stdout.write('done\n');
await db.destroy();
