// Owns configuration: environment variables plus an optional YAML file, validated once by zod into a frozen Config.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'expected a window like "08:00-17:30"');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const name = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, "_", "." or "-"');

export const calendarSchema = z.object({
  name,
  timezone: z.string().refine(isValidTimeZone, 'expected an IANA time zone such as "Europe/London"'),
  /** Business windows per weekday; a window whose end is before its start runs past midnight. */
  hours: z.partialRecord(weekday, z.array(hhmm)).default({}),
  /** Dates (YYYY-MM-DD, in the calendar's time zone) with no business hours. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like "2026-12-25"')).default([]),
  /** Optional iCal (.ics) file whose all-day events are added to the holidays. */
  icalFile: z.string().optional(),
});

export const policySchema = z.object({
  name,
  firstResponseMinutes: z.number().positive().default(60),
  nextResponseMinutes: z.number().positive().default(60),
  clock: z.enum(['business', 'wall']).default('business'),
  /** Fractions of the target at which a warning is raised, e.g. [0.8]. */
  warnRatios: z.array(z.number().gt(0).lt(1)).default([0.8]),
  dmCountsAsDeflection: z.boolean().default(false),
  /**
   * Let the learned deflection model overrule the rules when they call a reply that points to a link or another
   * account an answer. Off for a handle whose answers routinely end with a help-centre link.
   */
  deflectionModel: z.boolean().default(true),
  countAutomatedReplies: z.boolean().default(false),
  /** Text patterns (regular expressions) that mark a brand reply as automated. */
  automatedPatterns: z.array(z.string()).default([]),
  /** A complaint with no brand reply after this long raises `unanswered`. */
  unansweredHorizonMinutes: z.number().positive().default(240),
  /** A case with no tweet for this long is closed. */
  quietCloseHours: z.number().positive().default(72),
  /** During stated hours, no brand post for this long while cases wait raises `handle_silent`. */
  silentAfterMinutes: z.number().positive().default(45),
  /** `surge` needs at least this many customer tweets in ten minutes (a quiet handle's 1 → 4 is no storm)... */
  surgeMinMentions: z.number().int().positive().default(20),
  /** ... and at least this many times the handle's usual level for that hour of the week. */
  surgeFactor: z.number().gt(1).default(3),
});

export const teamSchema = z.object({
  name,
  calendar: name.optional(),
  /** Overrides the handle's policy for this team's handles. */
  policy: name.optional(),
});

export const handleSchema = z.object({
  handle: z.string().min(1).max(50).regex(/^[A-Za-z0-9_]+$/, 'expected an X username without "@"'),
  team: name,
  policy: name.default('default'),
  calendar: name.optional(),
  /** Customer ids or usernames that get the VIP policy override. */
  vip: z.array(z.string()).default([]),
  vipPolicy: name.optional(),
});

export const channelSchema = z.discriminatedUnion('type', [
  z.object({ name, type: z.literal('console') }),
  z.object({ name, type: z.literal('slack'), url: z.url() }),
  z.object({ name, type: z.literal('webhook'), url: z.url(), secret: z.string().min(16, 'expected a secret of at least 16 characters') }),
]);

const severity = z.enum(['info', 'warning', 'critical']);

export const routeSchema = z.object({
  name,
  match: z
    .object({
      teams: z.array(name).optional(),
      handles: z.array(z.string()).optional(),
      kinds: z.array(z.string()).optional(),
      minSeverity: severity.optional(),
    })
    .default({}),
  channels: z.array(name).min(1),
  /** Unacknowledged after `afterMinutes`, the alert also goes to `channels`. */
  escalate: z.object({ afterMinutes: z.number().positive(), channels: z.array(name).min(1) }).optional(),
  /** Outside the team's calendar hours only critical alerts are sent at once; the rest wait for the morning digest. */
  quietHours: z.boolean().default(false),
});

export const fileSchema = z
  .object({
    calendars: z.array(calendarSchema).default([]),
    policies: z.array(policySchema).default([]),
    teams: z.array(teamSchema).default([]),
    handles: z.array(handleSchema).default([]),
    channels: z.array(channelSchema).default([]),
    routes: z.array(routeSchema).default([]),
  })
  .strict();

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  REPLYWATCH_DATA_DIR: z.string().default('./.replywatch'),
  REPLYWATCH_CONFIG: z.string().optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: z.string().url().optional(),
  X_BEARER_TOKEN: z.string().min(1).optional(),
  X_API_BASE_URL: z.string().url().default('https://api.x.com'),
  X_API_ALLOW_HTTP: boolish.default(false),
  X_POLL_MODE: z.enum(['timelines', 'search']).default('timelines'),
  X_POLL_MIN_INTERVAL_SECONDS: z.coerce.number().positive().default(15),
  X_POLL_MAX_INTERVAL_SECONDS: z.coerce.number().positive().default(300),
  X_BACKFILL_HOURS: z.coerce.number().min(0).max(168).default(6),
  X_SETTLE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  X_ANALYZE_MAX_HOLD_SECONDS: z.coerce.number().positive().default(900),
  X_MONTHLY_READ_BUDGET: z.coerce.number().int().positive().optional(),
  REPLAY_FILE: z.string().optional(),
  REPLAY_SPEED: z.coerce.number().positive().default(600),
  REPLAY_ENABLED: boolish.optional(),
  ALLOW_PRIVATE_NETWORKS: boolish.default(false),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  DIGEST_THRESHOLD_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Length of the digest window; "per minute" above means per window (tests shorten it). */
  DIGEST_WINDOW_SECONDS: z.coerce.number().positive().default(60),
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** A delivery left in 'sending' longer than this (a crashed notifier) is sent again with the same id. */
  DELIVERY_LEASE_MS: z.coerce.number().int().positive().optional(),
  DELIVERY_RETRY_BASE_MS: z.coerce.number().int().positive().default(2_000),
  DELIVERY_RETRY_MAX_MS: z.coerce.number().int().positive().default(600_000),
  /** Minimum gap between two messages to one Slack or webhook channel (Slack allows about one a second). */
  DELIVERY_CHANNEL_INTERVAL_MS: z.coerce.number().int().min(0).default(1_000),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(65536),
  CORS_ORIGINS: z.string().optional(),
  /** When set, /metrics answers only requests with "Authorization: Bearer <METRICS_TOKEN>" (Prometheus' authorization). */
  METRICS_TOKEN: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * How often an idle job slot looks for due jobs. A deadline job becomes due without any notification, so this is
   * how late an idle worker can notice it: a breach fires within about this long of its due time.
   */
  WORKER_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
});

export type FileConfig = z.infer<typeof fileSchema>;
export type CalendarConfig = z.infer<typeof calendarSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type HandleConfig = z.infer<typeof handleSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;

export interface Config {
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly configFile?: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly publicUrl: string;
  readonly x: {
    readonly bearerToken?: string;
    readonly baseUrl: string;
    readonly allowHttp: boolean;
    readonly mode: 'timelines' | 'search';
    readonly minIntervalSeconds: number;
    readonly maxIntervalSeconds: number;
    readonly backfillHours: number;
    /** How long after a poll a tweet may still turn up in X's timelines; the analyzer treats a poll as complete only this much before it started. */
    readonly settleSeconds: number;
    /** Longest a polled tweet waits for the handle's other timeline before it is analyzed anyway (an X outage, a stopped timeline). */
    readonly maxHoldSeconds: number;
    readonly monthlyReadBudget?: number;
  };
  readonly replay: { readonly file?: string; readonly speed: number; readonly enabled: boolean };
  readonly delivery: {
    readonly allowPrivateNetworks: boolean;
    readonly maxAttempts: number;
    readonly digestThresholdPerMinute: number;
    readonly digestWindowSeconds: number;
    readonly timeoutMs: number;
    readonly leaseMs: number;
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    readonly channelIntervalMs: number;
  };
  readonly api: { readonly bodyLimitBytes: number; readonly corsOrigins: string[]; readonly metricsToken?: string };
  readonly workerConcurrency: number;
  readonly workerPollIntervalMs: number;
  /** >1 when the zero-config demo runs: policy clocks are divided by the replay speed. */
  readonly demoTimeScale: number;
  readonly file: FileConfig;
}

/** Default replay slice shipped with the project (a small extract of the TWCS corpus). */
export const BUNDLED_REPLAY_FILE = path.resolve(import.meta.dirname, '..', 'data', 'twcs-demo.csv');

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    return `${source}: ${where}: ${issue.message}`;
  });
  return lines.join('\n');
}

/** Replaces `${NAME}` in every string of the parsed YAML with the environment value, so secrets stay out of the file. */
export function expandEnv(value: unknown, env: Record<string, string | undefined>, at: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, key: string) => {
      const v = env[key];
      if (v === undefined) throw new ConfigError(`config file: ${at.join('.')}: environment variable ${key} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...at, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, [...at, k])]));
  }
  return value;
}

const DEFAULT_FILE: FileConfig = fileSchema.parse({
  calendars: [{ name: 'always', timezone: 'UTC', hours: { mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'], thu: ['00:00-24:00'], fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] } }],
  policies: [{ name: 'default', clock: 'wall' }],
  teams: [{ name: 'support', calendar: 'always' }],
  channels: [{ name: 'console', type: 'console' }],
  routes: [{ name: 'everything', channels: ['console'] }],
});

function checkReferences(file: FileConfig): string[] {
  const problems: string[] = [];
  const names = (list: { name: string }[]) => new Set(list.map((x) => x.name));
  const calendars = names(file.calendars);
  const policies = names(file.policies);
  const teams = names(file.teams);
  const channels = names(file.channels);
  const dup = (list: { name: string }[], key: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.name)) problems.push(`${key}.${i}.name: duplicate name "${x.name}"`);
      seen.add(x.name);
    });
  };
  dup(file.calendars, 'calendars');
  dup(file.policies, 'policies');
  dup(file.teams, 'teams');
  dup(file.channels, 'channels');
  dup(file.routes, 'routes');
  file.teams.forEach((t, i) => {
    if (t.calendar && !calendars.has(t.calendar)) problems.push(`teams.${i}.calendar: unknown calendar "${t.calendar}"`);
    if (t.policy && !policies.has(t.policy)) problems.push(`teams.${i}.policy: unknown policy "${t.policy}"`);
  });
  const handles = new Set<string>();
  file.handles.forEach((h, i) => {
    if (handles.has(h.handle.toLowerCase())) problems.push(`handles.${i}.handle: duplicate handle "${h.handle}"`);
    handles.add(h.handle.toLowerCase());
    if (!teams.has(h.team)) problems.push(`handles.${i}.team: unknown team "${h.team}"`);
    if (!policies.has(h.policy)) problems.push(`handles.${i}.policy: unknown policy "${h.policy}"`);
    if (h.vipPolicy && !policies.has(h.vipPolicy)) problems.push(`handles.${i}.vipPolicy: unknown policy "${h.vipPolicy}"`);
    if (h.calendar && !calendars.has(h.calendar)) problems.push(`handles.${i}.calendar: unknown calendar "${h.calendar}"`);
  });
  file.routes.forEach((r, i) => {
    r.channels.forEach((c, j) => {
      if (!channels.has(c)) problems.push(`routes.${i}.channels.${j}: unknown channel "${c}"`);
    });
    r.escalate?.channels.forEach((c, j) => {
      if (!channels.has(c)) problems.push(`routes.${i}.escalate.channels.${j}: unknown channel "${c}"`);
    });
    r.match.teams?.forEach((t, j) => {
      if (!teams.has(t)) problems.push(`routes.${i}.match.teams.${j}: unknown team "${t}"`);
    });
  });
  return problems;
}

/** Fills in the defaults a config file may leave out (a `default` policy, the `always` calendar, a console channel). */
function withDefaults(file: FileConfig): FileConfig {
  const merge = <T extends { name: string }>(given: T[], defaults: T[]) => [...given, ...defaults.filter((d) => !given.some((g) => g.name === d.name))];
  const channels = merge(file.channels, DEFAULT_FILE.channels);
  return {
    ...file,
    calendars: merge(file.calendars, DEFAULT_FILE.calendars),
    policies: merge(file.policies, DEFAULT_FILE.policies),
    teams: file.teams.length ? file.teams : DEFAULT_FILE.teams,
    channels,
    routes: file.routes.length ? file.routes : DEFAULT_FILE.routes,
  };
}

export function parseFileConfig(raw: unknown, env: Record<string, string | undefined>, source = 'config file'): FileConfig {
  const expanded = expandEnv(raw ?? {}, env);
  const parsed = fileSchema.safeParse(expanded);
  if (!parsed.success) throw new ConfigError(formatIssues(source, parsed.error));
  const file = withDefaults(parsed.data);
  const problems = checkReferences(file);
  if (problems.length) throw new ConfigError(problems.map((p) => `${source}: ${p}`).join('\n'));
  return file;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) throw new ConfigError(formatIssues('environment', parsedEnv.error));
  const e = parsedEnv.data;

  let configFile = e.REPLYWATCH_CONFIG ? path.resolve(cwd, e.REPLYWATCH_CONFIG) : undefined;
  if (!configFile && fs.existsSync(path.join(cwd, 'replywatch.config.yaml'))) configFile = path.join(cwd, 'replywatch.config.yaml');
  let raw: unknown = {};
  if (configFile) {
    let text: string;
    try {
      text = fs.readFileSync(configFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`REPLYWATCH_CONFIG: cannot read ${configFile}: ${(err as Error).message}`, { cause: err });
    }
    try {
      raw = YAML.parse(text);
    } catch (err) {
      throw new ConfigError(`${configFile}: not valid YAML: ${(err as Error).message}`, { cause: err });
    }
  }
  const replayEnabled = e.REPLAY_ENABLED ?? !e.X_BEARER_TOKEN;
  let file = parseFileConfig(raw, env, configFile ?? 'config file');
  // The zero-config demo replays real tweets `speed` times faster than they happened, so its replies
  // come `speed` times sooner; the default policy's clocks shrink by the same factor, or no demo case
  // could ever miss a one-hour target.
  const demoTimeScale = replayEnabled && !configFile ? e.REPLAY_SPEED : 1;
  if (demoTimeScale !== 1) file = scalePolicies(file, demoTimeScale);

  if (new URL(e.X_API_BASE_URL).protocol === 'http:' && !e.X_API_ALLOW_HTTP) {
    throw new ConfigError('environment: X_API_BASE_URL: plain http is refused; use https, or set X_API_ALLOW_HTTP=1 for a local test server');
  }
  if (e.DELIVERY_LEASE_MS !== undefined && e.DELIVERY_LEASE_MS <= e.DELIVERY_TIMEOUT_MS) {
    throw new ConfigError('environment: DELIVERY_LEASE_MS: must exceed DELIVERY_TIMEOUT_MS, or a slow send would be sent twice');
  }
  if (e.X_POLL_MIN_INTERVAL_SECONDS > e.X_POLL_MAX_INTERVAL_SECONDS) {
    throw new ConfigError('environment: X_POLL_MIN_INTERVAL_SECONDS: must not exceed X_POLL_MAX_INTERVAL_SECONDS');
  }
  if (e.X_ANALYZE_MAX_HOLD_SECONDS <= e.X_POLL_MAX_INTERVAL_SECONDS + e.X_SETTLE_SECONDS) {
    throw new ConfigError('environment: X_ANALYZE_MAX_HOLD_SECONDS: must exceed X_POLL_MAX_INTERVAL_SECONDS + X_SETTLE_SECONDS, or tweets of quiet handles would be analyzed before the poll that orders them');
  }

  const config: Config = {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(cwd, e.REPLYWATCH_DATA_DIR),
    configFile,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? 'localhost' : e.HOST}:${e.PORT}`,
    x: {
      bearerToken: e.X_BEARER_TOKEN,
      baseUrl: e.X_API_BASE_URL,
      allowHttp: e.X_API_ALLOW_HTTP,
      mode: e.X_POLL_MODE,
      minIntervalSeconds: e.X_POLL_MIN_INTERVAL_SECONDS,
      maxIntervalSeconds: e.X_POLL_MAX_INTERVAL_SECONDS,
      backfillHours: e.X_BACKFILL_HOURS,
      settleSeconds: e.X_SETTLE_SECONDS,
      maxHoldSeconds: e.X_ANALYZE_MAX_HOLD_SECONDS,
      monthlyReadBudget: e.X_MONTHLY_READ_BUDGET,
    },
    replay: {
      file: e.REPLAY_FILE ? path.resolve(cwd, e.REPLAY_FILE) : undefined,
      speed: e.REPLAY_SPEED,
      // Without X credentials the service replays real tweets so a fresh install shows something.
      enabled: replayEnabled,
    },
    demoTimeScale,
    delivery: {
      allowPrivateNetworks: e.ALLOW_PRIVATE_NETWORKS,
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      digestThresholdPerMinute: e.DIGEST_THRESHOLD_PER_MINUTE,
      digestWindowSeconds: e.DIGEST_WINDOW_SECONDS,
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
      leaseMs: e.DELIVERY_LEASE_MS ?? e.DELIVERY_TIMEOUT_MS + 5_000,
      retryBaseMs: e.DELIVERY_RETRY_BASE_MS,
      retryMaxMs: e.DELIVERY_RETRY_MAX_MS,
      channelIntervalMs: e.DELIVERY_CHANNEL_INTERVAL_MS,
    },
    api: {
      bodyLimitBytes: e.API_BODY_LIMIT_BYTES,
      corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : [],
      metricsToken: e.METRICS_TOKEN,
    },
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerPollIntervalMs: e.WORKER_POLL_INTERVAL_MS,
    file,
  };
  return deepFreeze(config);
}

function scalePolicies(file: FileConfig, factor: number): FileConfig {
  return {
    ...file,
    policies: file.policies.map((p) => ({
      ...p,
      firstResponseMinutes: p.firstResponseMinutes / factor,
      nextResponseMinutes: p.nextResponseMinutes / factor,
      unansweredHorizonMinutes: p.unansweredHorizonMinutes / factor,
      quietCloseHours: p.quietCloseHours / factor,
      silentAfterMinutes: p.silentAfterMinutes / factor,
    })),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
