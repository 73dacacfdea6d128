/**
 * The fault suite's figures: one line per scenario on stderr, the latest run of each scenario in
 * `test/faults/results/<scenario>.json`, and every run appended to `test/faults/results/runs.jsonl`
 * (git-ignored; the README's table is made from them).
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', 'results');

export type Figures = Record<string, number | string | number[]>;

/** Prints `[faults] <scenario>: <line>` and writes the figures. */
export async function recordFigures(scenario: string, line: string, figures: Figures): Promise<void> {
  process.stderr.write(`[faults] ${scenario}: ${line}\n`);
  const entry = { scenario, at: new Date().toISOString(), ...figures };
  await mkdir(DIR, { recursive: true });
  await writeFile(join(DIR, `${scenario}.json`), `${JSON.stringify(entry, null, 2)}\n`);
  await appendFile(join(DIR, 'runs.jsonl'), `${JSON.stringify(entry)}\n`);
}

/** Milliseconds as seconds with one decimal, for the printed line. */
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Logs a scenario's progress on stderr (shown by node:test). */
export function progress(scenario: string) {
  const start = Date.now();
  return (msg: string) => process.stderr.write(`[faults ${scenario} +${secs(Date.now() - start)}] ${msg}\n`);
}
