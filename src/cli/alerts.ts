// Owns the `replywatch alerts` commands: test a route (dry run or send), acknowledge or resolve alerts, list dead deliveries, requeue them.
import os from 'node:os';
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { withDeps } from '../runtime.ts';
import { testRoute } from '../alerts/route-test.ts';
import { listDeadDeliveries, retryDead } from '../alerts/recover.ts';
import { formatChannelReport, listChannelReports } from '../alerts/channel-pause.ts';
import { ackAndStopEscalation, resolveAndStopEscalation } from '../alerts/alert-state.ts';

export function register(program: Command): void {
  const alerts = program.command('alerts').description('alerts and their delivery: test routes, acknowledge or resolve alerts, inspect and retry dead deliveries');

  alerts
    .command('test')
    .description('show what a sample alert through a route would send to which channels (add --send to send it)')
    .requiredOption('--route <name>', 'route name from the config file')
    .option('--send', 'really send the sample alert', false)
    .action(async (opts: { route: string; send: boolean }) => {
      const config = loadConfig();
      const log = createLogger(config.logLevel);
      const lines = await testRoute(config, log, opts.route, { send: opts.send, now: new Date() });
      let failed = false;
      for (const l of lines) {
        const head = `${l.level === 'escalation' ? 'escalation ' : ''}channel ${l.channel} (${l.type}${l.type === 'console' ? '' : ` to ${l.host}`})`;
        if (!l.result) {
          process.stdout.write(`${head}: would send\n${JSON.stringify(l.preview, null, 2)}\n`);
        } else if (l.result.ok) {
          process.stdout.write(`${head}: sent${l.result.status ? ` (HTTP ${l.result.status})` : ''}\n`);
        } else {
          failed = true;
          process.stdout.write(`${head}: FAILED ${l.result.code}: ${l.result.error}\n`);
        }
      }
      if (!opts.send) process.stdout.write(`dry run: nothing was sent; add --send to send it\n`);
      if (failed) process.exitCode = 1;
    });

  for (const action of ['ack', 'resolve'] as const) {
    const cmd = alerts
      .command(action)
      .description(action === 'ack' ? 'acknowledge alerts (someone is on it): stops their escalation' : 'resolve alerts: stops their escalation; the breach log keeps them')
      .argument('<ids...>', 'alert ids (the `id` of /v1/alerts and of the webhook payload)')
      .option('--by <name>', 'who did it, recorded on the alert', `cli:${os.userInfo().username}`);
    if (action === 'resolve') cmd.option('--note <text>', 'resolution note', 'resolved from the command line');
    cmd.action(async (ids: string[], opts: { by: string; note?: string }) => {
      const bad = ids.filter((id) => !/^\d{1,18}$/.test(id));
      if (bad.length) throw new Error(`alert ids are numbers; not: ${bad.join(', ')}`);
      await withDeps(async (deps) => {
        for (const id of ids) {
          const now = deps.clock();
          const after = action === 'ack' ? await ackAndStopEscalation(deps.db, id, opts.by, now) : await resolveAndStopEscalation(deps.db, id, opts.by, opts.note ?? null, now);
          if (!after) {
            process.stderr.write(`alert ${id}: no such alert\n`);
            process.exitCode = 1;
          } else if (action === 'ack' && after.state === 'resolved') {
            process.stderr.write(`alert ${id}: already resolved${after.resolved_by ? ` by ${after.resolved_by}` : ''}; nothing to acknowledge\n`);
            process.exitCode = 1;
          } else {
            const who = action === 'ack' ? after.acknowledged_by : after.resolved_by;
            process.stdout.write(`alert ${id} (${after.kind}, ${after.title}): ${after.state} by ${who}${who === opts.by ? '' : ' earlier'}; escalation stopped\n`);
          }
        }
      });
    });
  }

  alerts
    .command('dead')
    .description('list deliveries that gave up after DELIVERY_MAX_ATTEMPTS (or on a permanent error)')
    .option('--limit <n>', 'how many', (v) => Number(v), 100)
    .action(async (opts: { limit: number }) => {
      await withDeps(async (deps) => {
        const rows = await listDeadDeliveries(deps.db, { limit: opts.limit });
        for (const r of rows) {
          const channel = r.level ? `${r.channel} (escalation ${r.level})` : r.channel;
          process.stdout.write(`${r.id}\talert ${r.alert_id}\t${channel}\tattempts ${r.attempts}\tgave up ${r.updated_at.toISOString()}\t${r.last_error ?? ''}\n`);
        }
        const more = rows.length === opts.limit ? ` (the first ${opts.limit}; --limit shows more)` : '';
        process.stderr.write(
          rows.length
            ? `${rows.length} dead deliveries${more}; fix the cause in last_error, then \`replywatch alerts retry --dead\` (all) or \`--id <first column>...\` requeues them\n`
            : 'no dead deliveries\n',
        );
      });
    });

  alerts
    .command('channels')
    .description('show each channel: paused after a 429/503 (until when, and why), deliveries waiting, held, in a digest, dead, cancelled')
    .action(async () => {
      await withDeps(async (deps) => {
        const now = deps.clock();
        const rows = await listChannelReports(deps.db);
        for (const r of rows) process.stdout.write(`${formatChannelReport(r, now)}\n`);
        const dead = rows.reduce((sum, r) => sum + (r.counts.dead ?? 0), 0);
        if (dead) process.stderr.write(`${dead} dead deliveries: \`replywatch alerts dead\` lists them, \`replywatch alerts retry --dead\` requeues them\n`);
      });
    });

  alerts
    .command('retry')
    .description('requeue dead deliveries with a fresh attempt budget (same delivery ids, so receivers can dedupe)')
    .option('--dead', 'requeue every dead delivery')
    .option('--id <ids...>', 'requeue only these delivery row ids')
    .action(async (opts: { dead?: boolean; id?: string[] }) => {
      if (!opts.dead && !opts.id?.length) throw new Error('say what to retry: --dead for all dead deliveries, or --id <ids...>');
      await withDeps(async (deps) => {
        const n = await retryDead(deps, opts.id);
        process.stdout.write(`requeued ${n} dead deliveries\n`);
        if (opts.id?.length && n < opts.id.length) process.stderr.write(`${opts.id.length - n} of the given ids are not dead deliveries (\`replywatch alerts dead\` lists the row ids)\n`);
      });
    });
}
