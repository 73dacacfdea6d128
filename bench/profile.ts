/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`): per component (self time)
 * and per step of the pipeline (inclusive time), in ms and % of busy time (bench/lib/cpuProfile.ts
 * says how each is decided). Run: `node bench/profile.ts <file.cpuprofile> [--json]
 * [--from-us N] [--to-us N]` (a window in the profile's clock, µs of process.hrtime; the benches
 * record theirs in the JSON result). Prints Markdown tables, or with --json the summary.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatSummary, summariseProfile, type CpuProfile } from './lib/cpuProfile.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'boolean', default: false }, 'from-us': { type: 'string' }, 'to-us': { type: 'string' }, top: { type: 'string' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile.ts <file.cpuprofile> [--json] [--from-us N] [--to-us N] [--top N]\n');
  process.exit(2);
}
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas)) {
  process.stderr.write(`${positionals[0]} is not a V8 CPU profile (no nodes, samples and timeDeltas)\n`);
  process.exit(2);
}
const summary = summariseProfile(profile, { fromUs: num(values['from-us']), toUs: num(values['to-us']), topFunctions: num(values.top) });
process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
