// Owns the `replywatch token` commands: create (prints the token once), list and revoke API tokens.
import { Command, Option } from 'commander';
import { withDeps } from '../runtime.ts';
import { createToken, listTokens, revokeToken, TOKEN_SCOPES, type TokenScope } from '../db/token.repository.ts';

export function register(program: Command): void {
  const token = program.command('token').description('manage API tokens (bearer tokens for /v1)');

  token
    .command('create')
    .description('create a token and print it once; only its SHA-256 hash is stored')
    .addOption(new Option('--scope <scope>', 'what the token may do').choices([...TOKEN_SCOPES]).default('read'))
    .option('--team <name>', 'limit the token to one team (default: all teams)')
    .option('--name <label>', 'a label to recognise the token by', '')
    .action(async (opts: { scope: TokenScope; team?: string; name: string }) => {
      await withDeps(async (deps) => {
        const label = opts.name || `${opts.scope}${opts.team ? '-' + opts.team : ''}-${new Date().toISOString().slice(0, 10)}`;
        const created = await createToken(deps.db, { name: label, scope: opts.scope, team: opts.team });
        process.stderr.write(`created token ${created.id} "${label}" (scope ${opts.scope}${opts.team ? `, team ${opts.team}` : ', all teams'}); it is shown only now:\n`);
        process.stdout.write(created.token + '\n');
      });
    });

  token
    .command('list')
    .description('list tokens (never their values)')
    .action(async () => {
      await withDeps(async (deps) => {
        for (const t of await listTokens(deps.db)) {
          const state = t.revoked_at ? `revoked ${t.revoked_at.toISOString()}` : 'active';
          process.stdout.write(`${t.id}\t${t.name}\t${t.scope}\t${t.team ?? '*'}\t${state}\tlast used ${t.last_used_at?.toISOString() ?? 'never'}\n`);
        }
      });
    });

  token
    .command('revoke')
    .description('revoke a token by id; requests with it get 401 from then on')
    .argument('<id>', 'token id (see `token list`)')
    .action(async (id: string) => {
      await withDeps(async (deps) => {
        const ok = await revokeToken(deps.db, Number(id), deps.clock());
        if (!ok) throw new Error(`no active token with id ${id}; see \`replywatch token list\``);
        process.stderr.write(`revoked token ${id}\n`);
      });
    });
}
