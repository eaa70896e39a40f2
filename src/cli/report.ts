// Owns `replywatch report`: a table comparing handles on clarity, speed and personality, for the terminal or Markdown.
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { HandleCard, Scorecard } from '../domain/scorecard.ts';
import { analyzeFile } from './analyze.ts';

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(0)}%`);
function dur(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)}m`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86400).toFixed(1)}d`;
}

const COLUMNS: { title: string; group: string; cell: (c: HandleCard) => string }[] = [
  { title: 'handle', group: '', cell: (c) => c.handle },
  { title: 'cases', group: '', cell: (c) => String(c.volumes.cases) },
  { title: 'reply', group: 'clarity', cell: (c) => pct(c.clarity.reply_rate) },
  { title: 'resolved', group: 'clarity', cell: (c) => pct(c.clarity.resolution_rate) },
  { title: 'deflect', group: 'clarity', cell: (c) => pct(c.clarity.deflection_rate) },
  { title: 'rpl/case', group: 'clarity', cell: (c) => (c.clarity.replies_per_case ?? 0).toFixed(2) },
  { title: 'median', group: 'speed', cell: (c) => dur(c.speed.first_response_seconds.median) },
  { title: 'p90', group: 'speed', cell: (c) => dur(c.speed.first_response_seconds.p90) },
  { title: '<target', group: 'speed', cell: (c) => pct(c.speed.share_within_target) },
  { title: 'signed', group: 'personality', cell: (c) => pct(c.personality.signed) },
  { title: 'name', group: 'personality', cell: (c) => pct(c.personality.uses_name) },
  { title: 'empathy', group: 'personality', cell: (c) => pct(c.personality.empathy) },
  { title: 'canned', group: 'personality', cell: (c) => pct(c.personality.canned) },
  { title: 'score', group: '', cell: (c) => c.score.overall.toFixed(1) },
  { title: 'grade', group: '', cell: (c) => c.grade },
  { title: 'rank', group: '', cell: (c) => (c.rank === null ? '-' : String(c.rank)) },
];

/** Handles to show: the top `top` by case volume, or all. */
export function selectCards(scorecard: Scorecard, opts: { top?: number; all?: boolean }): HandleCard[] {
  const cards = Object.values(scorecard.handles).sort((a, b) => b.volumes.cases - a.volumes.cases || (a.handle < b.handle ? -1 : 1));
  return opts.all ? cards : cards.slice(0, opts.top ?? 15);
}

export function renderTable(cards: HandleCard[], markdown: boolean): string {
  const rows = cards.map((c) => COLUMNS.map((col) => col.cell(c)));
  if (markdown) {
    const head = `| ${COLUMNS.map((c) => (c.group ? `${c.group} ${c.title}` : c.title)).join(' | ')} |`;
    const sep = `|${COLUMNS.map((c, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
    return [head, sep, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
  }
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i]!.length)));
  const pad = (s: string, i: number) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!));
  // Group header line: the criterion name over its first column.
  let groups = '';
  COLUMNS.forEach((c, i) => {
    if (c.group && COLUMNS[i - 1]?.group !== c.group) groups = groups.padEnd(widths.slice(0, i).reduce((a, w) => a + w + 2, 0)) + `${c.group}:`;
  });
  const lines = [groups, COLUMNS.map((c, i) => pad(c.title, i)).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => r.map(pad).join('  '))];
  return lines.join('\n') + '\n';
}

export function renderReport(scorecard: Scorecard, opts: { top?: number; all?: boolean; markdown?: boolean }): string {
  const cards = selectCards(scorecard, opts);
  const total = Object.keys(scorecard.handles).length;
  const title = `Handles compared on clarity, speed and personality (${cards.length} of ${total} by case volume; data up to ${scorecard.as_of})`;
  const notes = [
    'reply = cases with a brand reply; resolved = resolution reply or customer thanked; deflect = share of replies that push the customer elsewhere;',
    'median/p90 = first response (wall clock); <target = share answered within the policy target; name/signed/empathy/canned = share of replies.',
    `grade: ${scorecard.grade_formula}. Rank needs at least 5 cases.`,
  ];
  if (opts.markdown) return `### ${title}\n\n${renderTable(cards, true)}\n${notes.map((n) => `_${n}_`).join('\n')}\n`;
  return `${title}\n\n${renderTable(cards, false)}\n${notes.join('\n')}\n`;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('print a table comparing handles on clarity, speed and personality (from a TWCS file, or a scorecard.json from analyze)')
    .argument('<file>', 'TWCS CSV / JSON lines, or scorecard.json')
    .option('--markdown', 'print a Markdown table')
    .option('--top <n>', 'handles to show, by case volume', positiveInt, 15)
    .option('--all', 'show every handle')
    .option('--config <file>', 'YAML config with calendars, policies and handles')
    .option('--target-minutes <n>', 'first and next response target for every policy', Number)
    .addOption(new Option('--format <format>', 'input format (default: from the file name)').choices(['twcs', 'jsonl']))
    .action(async (file: string, opts: { markdown?: boolean; top: number; all?: boolean; config?: string; targetMinutes?: number; format?: 'twcs' | 'jsonl' }) => {
      let scorecard: Scorecard;
      if (file.endsWith('.json')) scorecard = JSON.parse(fs.readFileSync(file, 'utf8')) as Scorecard;
      else scorecard = (await analyzeFile(file, { format: opts.format, config: opts.config, targetMinutes: opts.targetMinutes, stderr: process.stderr })).scorecard;
      process.stdout.write(renderReport(scorecard, opts));
    });
}
