// Benchmarks the API: 1M tweets and 100k cases (with alerts and breaches) built from the TWCS sample's handles and texts, the real server as a child process, autocannon at 200 req/s on /v1/alerts and /v1/breaches.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import Papa from 'papaparse';
import { sql } from 'kysely';
import { parseFileConfig } from '../src/config.ts';
import { syncConfig } from '../src/db/config.repository.ts';
import { createToken } from '../src/db/token.repository.ts';
import { freePort } from '../src/db/embedded.ts';
import { atMost, benchDatabase, info, isMain, percentile, printResults, ROOT, sized, stopBenchServer, type BenchResult } from './lib.ts';

const SAMPLE = process.env.TWCS_SAMPLE ?? '/work/shared/data/twcs-sample.csv';
const TWEETS = sized(1_000_000, 50_000);
const CASES = sized(100_000, 5_000);
const ALERTS = Math.round(CASES * 0.6);
const BREACHES = Math.round(CASES * 0.4);
const RATE = 200;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? sized(20, 5));

/** Brand handles (the busiest first) and real customer and brand texts from the sample. */
function samplePatterns() {
  const rows = Papa.parse<string[]>(fs.readFileSync(SAMPLE, 'utf8'), { skipEmptyLines: true }).data.slice(1);
  const counts = new Map<string, number>();
  const customer: string[] = [];
  const brand: string[] = [];
  for (const r of rows) {
    if (r[2] === 'False') {
      counts.set(r[1], (counts.get(r[1]) ?? 0) + 1);
      if (brand.length < 3000) brand.push(r[4]);
    } else if (customer.length < 3000) customer.push(r[4]);
  }
  const handles = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([h]) => h).filter((h) => /^[A-Za-z0-9_]+$/.test(h));
  return { handles, customer, brand };
}

export async function load(db: Awaited<ReturnType<typeof benchDatabase>>['db']) {
  const { handles, customer, brand } = samplePatterns();
  const teams = ['care', 'travel', 'telecom', 'retail', 'media'];
  await syncConfig(
    db,
    parseFileConfig(
      {
        policies: [{ name: 'hour', firstResponseMinutes: 60, clock: 'wall' }],
        teams: teams.map((name) => ({ name })),
        handles: handles.map((handle, i) => ({ handle, team: teams[i % teams.length], policy: 'hour' })),
      },
      {},
    ),
  );
  const started = Date.now();
  // Raw SQL with generate_series: a million rows are built inside PostgreSQL rather than sent over the wire.
  await sql`
    insert into tweets (id, author_id, author_username, text, created_at, in_reply_to_tweet_id, source)
    select g,
           case when g % 3 = 0 then h.handle else (100000 + g % 60000)::text end,
           case when g % 3 = 0 then h.handle else null end,
           case when g % 3 = 0 then (${brand}::text[])[1 + g % ${brand.length}] else (${customer}::text[])[1 + g % ${customer.length}] end,
           timestamptz '2017-10-01' + g * interval '2 seconds',
           case when g % 3 = 0 then g - 1 end,
           'bench'
    from generate_series(1, ${TWEETS}::int) g
    join handles h on h.id = 1 + g % ${handles.length}`.execute(db);
  const tweetsMs = Date.now() - started;
  await sql`
    insert into cases (case_key, handle_id, customer_id, opening_tweet_id, opened_at, state, first_customer_at, last_customer_at,
                       first_brand_at, last_brand_at, awaiting_since, first_response_seconds, next_response_seconds, next_response_business_seconds,
                       customer_tweets, brand_replies, flags, summary)
    select 'bench:' || g, 1 + g % ${handles.length}, (100000 + g % 60000)::text, g * 10,
           timestamptz '2017-10-01' + g * interval '20 seconds',
           case when g % 10 = 0 then 'open' else 'closed' end,
           timestamptz '2017-10-01' + g * interval '20 seconds',
           timestamptz '2017-10-01' + g * interval '20 seconds' + interval '5 minutes',
           case when g % 10 <> 0 then timestamptz '2017-10-01' + g * interval '20 seconds' + (g % 7200) * interval '1 second' end,
           case when g % 10 <> 0 then timestamptz '2017-10-01' + g * interval '20 seconds' + (g % 7200) * interval '1 second' end,
           case when g % 10 = 0 then timestamptz '2017-10-01' + g * interval '20 seconds' end,
           case when g % 10 <> 0 then (g % 7200)::float8 end,
           '[]', '[]', 1 + g % 3, case when g % 10 = 0 then 0 else 1 end,
           case when g % 17 = 0 then array['churn_threat'] else '{}' end, '{}'
    from generate_series(1, ${CASES}::int) g`.execute(db);
  await sql`
    insert into alerts (dedup_key, kind, severity, state, handle_id, team_id, case_id, title, reasons, details, due_at, raised_at)
    select 'bench:' || c.id, (array['first_response_warning','first_response_breach','unanswered','nudge','churn_threat'])[1 + c.id % 5],
           (array['info','warning','critical'])[1 + c.id % 3], (array['open','acknowledged','resolved'])[1 + c.id % 3],
           c.handle_id, h.team_id, c.id, 'customer waiting on @' || h.handle, '["waited past the target"]', '{}',
           c.opened_at + interval '1 hour', c.opened_at + interval '48 minutes' + (c.id % 1000) * interval '1 millisecond'
    from cases c join handles h on h.id = c.handle_id
    where c.id % ${Math.round(CASES / ALERTS * 100)} < 100`.execute(db);
  await sql`
    insert into breaches (case_id, handle_id, team_id, metric, sequence, policy, clock, target_seconds, started_at, due_at, answered_at, actual_seconds, over_by_seconds)
    select c.id, c.handle_id, h.team_id, case when c.id % 4 = 0 then 'next_response' else 'first_response' end, 0, 'hour', 'wall', 3600,
           c.opened_at, c.opened_at + interval '1 hour', c.first_brand_at, c.first_response_seconds, greatest(coalesce(c.first_response_seconds, 7200) - 3600, 0)
    from cases c join handles h on h.id = c.handle_id
    where c.id % ${Math.round(CASES / BREACHES * 100)} < 100`.execute(db);
  await sql`analyze`.execute(db);
  const counts = await sql<{ t: string; n: number }>`
    select 'tweets' t, count(*)::int n from tweets union all select 'cases', count(*)::int from cases
    union all select 'alerts', count(*)::int from alerts union all select 'breaches', count(*)::int from breaches`.execute(db);
  return { handles, teams, loadMs: Date.now() - started, tweetsMs, counts: Object.fromEntries(counts.rows.map((r) => [r.t, r.n])) };
}

async function waitFor(url: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function fire(url: string, token: string, paths: string[]) {
  const times: number[] = [];
  let non2xx = 0;
  // Without a callback autocannon returns an instance that is also a promise of the result.
  const instance = autocannon({
    url,
    connections: 20,
    overallRate: RATE,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}` },
    requests: paths.map((p) => ({ method: 'GET', path: p })),
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
    if (status < 200 || status >= 300) non2xx++;
  });
  const result = await instance;
  return { times, non2xx, rps: result.requests.average, ac: result.latency };
}

export async function main(): Promise<BenchResult[]> {
  const bdb = await benchDatabase({ poolSize: 4 });
  const results: BenchResult[] = [];
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const loaded = await load(bdb.db);
    process.stderr.write(`api bench: loaded ${JSON.stringify(loaded.counts)} in ${(loaded.loadMs / 1000).toFixed(1)} s\n`);
    const all = (await createToken(bdb.db, { name: 'bench', scope: 'read' })).token;
    const team = (await createToken(bdb.db, { name: 'bench-team', scope: 'read', team: loaded.teams[1] })).token;

    const port = await freePort();
    // The real service, alone in its process, logging every request at info as in production (to /dev/null).
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'worker', '--only', 'api'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: bdb.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', REPLAY_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/readyz`);
    // Warm up connections, JIT and PostgreSQL's caches.
    await fire(base, all, ['/v1/alerts', '/v1/breaches']).catch(() => undefined);

    const scenarios: { name: string; token: string; paths: string[] }[] = [
      { name: '/v1/alerts', token: all, paths: ['/v1/alerts'] },
      { name: '/v1/breaches', token: all, paths: ['/v1/breaches'] },
      { name: '/v1/alerts (team token, state=open)', token: team, paths: ['/v1/alerts?state=open'] },
      { name: '/v1/breaches (handle, limit=200)', token: all, paths: [`/v1/breaches?handle=${loaded.handles[0]}&limit=200`] },
      { name: '/v1/breaches (format=csv, limit=500)', token: all, paths: ['/v1/breaches?format=csv&limit=500'] },
    ];
    for (const s of scenarios) {
      const r = await fire(base, s.token, s.paths);
      const note = `${RATE} req/s for ${SECONDS} s, ${r.times.length} requests, ${r.non2xx} non-2xx; p50 ${percentile(r.times, 50).toFixed(1)} ms, p99 ${percentile(r.times, 99).toFixed(1)} ms; autocannon p50/p97.5/p99 ${r.ac.p50}/${r.ac.p97_5}/${r.ac.p99} ms`;
      const p95 = percentile(r.times, 95);
      results.push(s.name === '/v1/alerts' || s.name === '/v1/breaches' ? atMost(`API ${s.name} p95`, p95, 'ms', 50, note) : info(`API ${s.name} p95`, p95, 'ms', note));
      if (r.non2xx) results.push({ name: `API ${s.name} errors`, figure: r.non2xx, unit: 'responses', target: '0', pass: false });
    }
    results.push(info('API bench data load (generate_series)', loaded.loadMs / 1000, 's', JSON.stringify(loaded.counts)));
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await bdb.destroy();
  }
  return results;
}

if (isMain(import.meta.url)) {
  main()
    .then(printResults)
    .finally(() => stopBenchServer())
    .catch((err) => {
      process.stderr.write(`api bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
