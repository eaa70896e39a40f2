// Owns the `replywatch` command line: parses flags and hands each command to its module.
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startService, stopOnSignals, openDeps, prepareDatabase } from './runtime.ts';
import { ROLES, type Role } from '../workers/registry.ts';
import { register as registerAnalyze } from './cli/analyze.ts';
import { register as registerReport } from './cli/report.ts';
import { register as registerToken } from './cli/token.ts';
import { register as registerGen } from './cli/gen.ts';
import { register as registerReplay } from './cli/replay.ts';
import { register as registerClassify } from './cli/classify.ts';
import { register as registerAlerts } from './cli/alerts.ts';

const program = new Command();
program.name('replywatch').description('Watches customer-support handles on X and alerts when customers wait too long.').showHelpAfterError();

async function runService(roles: Role[]) {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const service = await startService(roles, { config, log });
  stopOnSignals(service, log);
}

program
  .command('start')
  .description('run poller, analyzer, notifier and API in one process')
  .action(() => runService([...ROLES]));

program
  .command('worker')
  .description('run some roles only (any number of copies may run against one database)')
  .addOption(new Option('--only <roles...>', 'roles to run').choices([...ROLES]).makeOptionMandatory())
  .action((opts: { only: Role[] }) => runService(opts.only));

program
  .command('migrate')
  .description('apply database migrations and seed the config file, then exit')
  .action(async () => {
    const config = loadConfig();
    const log = createLogger(config.logLevel);
    const { deps, conn } = await openDeps(config, log);
    try {
      await prepareDatabase(deps);
      log.info('database is up to date');
    } finally {
      await conn.close();
    }
  });

registerToken(program);
registerGen(program);
registerReplay(program);
registerClassify(program);
registerAnalyze(program);
registerReport(program);
registerAlerts(program);

export { program };

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`replywatch: invalid configuration\n${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`replywatch: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof Error && err.cause) process.stderr.write(`  cause: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}\n`);
  process.exit(1);
});
