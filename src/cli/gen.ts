// Owns `replywatch gen`: scales a real TWCS sample to any number of tweets and handles, as TWCS CSV or X API v2 pages.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadCorpusModel, writeCorpus, type GenFormat } from '../sources/twcs-generator.ts';

export const DEFAULT_SAMPLE = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'twcs-sample.csv');

function positiveInt(v: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function isoDate(v: string): number {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO date such as 2017-10-01T00:00:00Z');
  return ms;
}

/** Conversation openers at the full TWCS corpus's density (about 2.8M tweets in two months) unless told otherwise. */
export function defaultDays(tweets: number): number {
  return Math.max(7, Math.ceil(tweets / 45_000));
}

export function register(program: Command): void {
  program
    .command('gen')
    .description('generate a synthetic corpus from a real TWCS sample: each brand keeps its reply times, texts and conversation shapes')
    .requiredOption('--tweets <n>', 'number of tweets to write', positiveInt)
    .option('--handles <n>', 'number of handles (past the sample\'s brands, numbered copies)', positiveInt, 20)
    .option('--out <file>', 'output file (default: stdout)')
    .addOption(new Option('--format <format>', 'output format').choices(['twcs', 'x-json']).default('twcs'))
    .option('--seed <n>', 'random seed: the same seed writes the same file', positiveInt, 1)
    .option('--sample <file>', 'the TWCS file to learn from', process.env.REPLYWATCH_SAMPLE ?? DEFAULT_SAMPLE)
    .option('--start <date>', 'when the first conversation opens (ISO)', isoDate, Date.parse('2017-10-01T00:00:00Z'))
    .option('--days <n>', 'days over which conversations open (default: the real corpus\'s density, at least 7)', positiveInt)
    .action(async (opts: { tweets: number; handles: number; out?: string; format: GenFormat; seed: number; sample: string; start: number; days?: number }) => {
      const started = Date.now();
      const model = await loadCorpusModel(opts.sample);
      const days = opts.days ?? defaultDays(opts.tweets);
      const summary = await writeCorpus(
        model,
        { tweets: opts.tweets, handles: opts.handles, seed: opts.seed, startMs: opts.start, spanMs: days * 86_400_000, format: opts.format },
        opts.out ?? process.stdout,
      );
      const secs = (Date.now() - started) / 1000;
      process.stderr.write(
        `wrote ${summary.tweets} tweets (${summary.brandTweets} brand replies) for ${summary.handles} handles, ${summary.firstAt} .. ${summary.lastAt}, ` +
          `${(summary.bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s${opts.out ? ` to ${opts.out}` : ''}\n` +
          `learned from ${model.stats.templates} conversations of ${model.brands.length} brands in ${opts.sample}\n`,
      );
    });
}
