// Owns the first-start admin token: so a fresh `npm start` can be used at once, it creates one and says where it is.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Deps } from '../deps.ts';
import { createFirstAdminToken } from '../db/token.repository.ts';

/**
 * When the database has no live token, creates an admin token, writes it to `<dataDir>/admin-token` (mode 0600),
 * logs the file path (never the token) and prints the token once to stderr for the person at the terminal.
 * Returns the file path when a token was created.
 */
export async function ensureBootstrapToken(deps: Deps): Promise<string | undefined> {
  const token = await createFirstAdminToken(deps.db, 'bootstrap-admin');
  if (!token) return undefined;
  const file = path.join(deps.config.dataDir, 'admin-token');
  try {
    await fs.mkdir(deps.config.dataDir, { recursive: true });
    await fs.writeFile(file, token + '\n', { mode: 0o600 });
    // writeFile keeps the mode of an existing file; make sure it is private.
    await fs.chmod(file, 0o600);
    deps.log.info({ file }, 'created the first admin API token; revoke it with `replywatch token revoke` once you have your own');
  } catch (err) {
    deps.log.warn({ err, file }, 'could not save the first admin API token to a file; copy it from the terminal now');
  }
  process.stderr.write(`\nreplywatch: first start, created an admin API token (also saved to ${file}):\n  ${token}\nUse it as "Authorization: Bearer <token>" for /v1 and the dashboard. It is not shown again.\n\n`);
  return file;
}
