/**
 * What a V8 heap holds, from a heap snapshot: self size per constructor and per V8 node type
 * (bench/lib/heapSnapshot.ts). Take one from the service with BENCH_SERVICE_NODE_OPTIONS=
 * --heapsnapshot-signal=SIGUSR2 and `kill -USR2 <pid>` at the moment of interest (it is written to
 * the service's working directory). Run: `node bench/heap.ts <file.heapsnapshot> [--top N] [--json]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatHeapSummary, summariseHeapSnapshot } from './lib/heapSnapshot.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean', default: false }, top: { type: 'string' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/heap.ts <file.heapsnapshot> [--top N] [--json]\n');
  process.exit(2);
}
try {
  const summary = summariseHeapSnapshot(readFileSync(positionals[0]!), Number(values.top ?? 40));
  process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatHeapSummary(summary)}\n`);
} catch (err) {
  process.stderr.write(`${positionals[0]}: ${(err as Error).message}\n`);
  process.exit(2);
}
