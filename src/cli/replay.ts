// Owns `replywatch replay FILE`: feeds a TWCS CSV/JSONL through the ingest path, time-shifted to now and compressed by --speed.
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openDeps, prepareDatabase } from '../runtime.ts';
import { replayFile } from '../ingest/replay.ts';

function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number (600 = ten minutes of data a second)');
  return n;
}

export function register(program: Command): void {
  program
    .command('replay')
    .description('replay a TWCS file into the database as if its tweets arrived now (the analyzer, running elsewhere, turns them into cases)')
    .argument('<file>', 'TWCS CSV (or JSON lines with the same keys), sorted by created_at')
    .option('--speed <n>', 'data seconds per real second; 600 = ten minutes a second', positive)
    .option('--fast', 'no waiting: ingest as fast as the database takes it (timestamps all become now)')
    .option('--loop', 'start again at the end, with ids shifted so passes never collide')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['twcs', 'jsonl']))
    .action(async (file: string, opts: { speed?: number; fast?: boolean; loop?: boolean; format?: 'twcs' | 'jsonl' }) => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const { deps, conn } = await openDeps(config, log);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await prepareDatabase(deps);
        const started = Date.now();
        const r = await replayFile(deps.db, {
          file,
          format: opts.format,
          speed: opts.fast ? Infinity : (opts.speed ?? config.replay.speed),
          loop: opts.loop,
          clock: deps.clock,
          signal: controller.signal,
          log,
        });
        const seconds = (Date.now() - started) / 1000;
        log.info({ ...r, seconds, tweetsPerSecond: Math.round(r.tweets / Math.max(seconds, 0.001)) }, 'replay done');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await conn.close();
      }
    });
}
