// Owns the shared helpers of the labelling and evaluation scripts: split assignment, data loading, metrics.
import { readFileSync, existsSync } from 'node:fs';
import Papa from 'papaparse';

export type Split = 'train' | 'dev' | 'test';

/** Fixed split from the tweet id: 50 % train, 25 % dev, 25 % test (FNV-1a, stable across runs). */
export function splitOf(id: string): Split {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const b = (h >>> 0) % 100;
  return b < 50 ? 'train' : b < 75 ? 'dev' : 'test';
}

export const DATA_DIR = process.env.REPLYWATCH_DATA_DIR ?? new URL('../../shared/data/', import.meta.url).pathname;
export const LABEL_DIR = new URL('../test/fixtures/labels/', import.meta.url).pathname;

export function readCsv(file: string): Record<string, string>[] {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true });
  return parsed.data;
}

export interface ReplyLabel {
  id: string;
  brand: string;
  text: string;
  kind: string;
  signed: boolean;
  uses_name: boolean;
  empathy: boolean;
  split: Split;
  /** Set on replies added after the first sample (e.g. 'test-extension'), labelled blind by a second labeller. */
  source?: string;
}

export interface CustomerLabel {
  id: string;
  brand: string;
  text: string;
  awaiting_reply: boolean;
  flags: string[];
  split: Split;
}

export function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export interface Prf {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1, support: tp + fn };
}

/** Binary P/R/F1 of predicted vs gold membership. */
export function binary<T>(items: T[], gold: (t: T) => boolean, pred: (t: T) => boolean): Prf {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const it of items) {
    const g = gold(it);
    const p = pred(it);
    if (g && p) tp++;
    else if (p) fp++;
    else if (g) fn++;
  }
  return prf(tp, fp, fn);
}
