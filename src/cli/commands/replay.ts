/**
 * Rebuild and reprocess, asked of running instances through their admin API:
 *   iga-stream stores     per local task and store: records, SHA-256 of the bytes, changelog offset
 *   iga-stream rebuild    wipes each instance's local stores and restores them from the changelogs
 *   iga-stream reprocess --from <time>   runs the raw DFØ events since <time> through the topology again
 * `stores` and `rebuild` act on every instance given: `--admin-url` (or IGA_ADMIN_URL) may list
 * several, comma-separated, one per instance of the deployment.
 */
import type { RebuildEvent, RebuildSummary, StoreDigest } from '../../runtime/index.ts';
import { adminClients } from './adminClient.ts';
import { parseCommandArgs, timeOption } from './args.ts';
import { CliError } from './cliError.ts';
import { table } from './explainReport.ts';
import { Progress } from './progress.ts';

const CONNECTION = { 'admin-url': { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean' } } as const;

interface StoresAnswer { instance: string; appId: string; tasks: string[]; stores: StoreDigest[] }

export async function storesCommand(args: string[]): Promise<void> {
  const usage = 'iga-stream stores [--json] [--admin-url URL[,URL...]] [--token TOKEN]';
  const { values } = parseCommandArgs(args, CONNECTION, usage);
  const answers: Array<StoresAnswer & { url: string }> = [];
  for (const c of adminClients(values['admin-url'], values.token)) answers.push({ url: c.url, ...(await c.get<StoresAnswer>('/stores')) });
  const all = answers.flatMap((a) => a.stores);
  if (values.json) process.stdout.write(`${JSON.stringify(answers, null, 2)}\n`);
  else {
    for (const a of answers) {
      process.stdout.write(`Instance ${a.instance} (${a.url}), app ${a.appId}: ${a.tasks.length} tasks\n`);
      const rows = a.stores.map((d) => [d.task, d.store, String(d.records), d.sha256, d.changelogOffset ?? '-']);
      process.stdout.write(`${table(['TASK', 'STORE', 'RECORDS', 'SHA-256', 'CHANGELOG'], rows).map((l) => `  ${l}`).join('\n')}\n\n`);
    }
  }
  process.stderr.write(`stores: ${all.length} stores in ${new Set(all.map((d) => d.task)).size} tasks on ${answers.length} instance(s), ${all.reduce((n, d) => n + d.records, 0)} records\n`);
}

export async function rebuildCommand(args: string[]): Promise<void> {
  const usage = 'iga-stream rebuild [--json] [--admin-url URL[,URL...]] [--token TOKEN] | rebuild --offline';
  const { values } = parseCommandArgs(args, { ...CONNECTION, offline: { type: 'boolean' } }, usage);
  if (values.offline) return rebuildOffline();
  const results: Array<RebuildSummary & { instance: string }> = [];
  for (const c of adminClients(values['admin-url'], values.token)) {
    const bars = new Map<string, { bar: Progress; restored: Map<string, number> }>();
    const done = await c.stream('/rebuild', {}, (line) => {
      const e = line as unknown as RebuildEvent;
      if (e.type === 'task') bars.set(e.task, { bar: new Progress(`rebuild task ${e.task}`, e.total, { unit: 'changelog offsets' }), restored: new Map() });
      else if (e.type === 'progress') {
        const b = bars.get(e.task);
        if (!b) return;
        b.restored.set(e.store, e.restored);
        b.bar.update([...b.restored.values()].reduce((x, y) => x + y, 0));
      } else if (e.type === 'restored') {
        bars.get(e.task)?.bar.finish(`${e.digests.reduce((n, d) => n + d.records, 0)} records in ${e.digests.length} stores`);
      }
    }) as unknown as RebuildSummary & { instance: string };
    results.push(done);
    process.stderr.write(`rebuild: instance ${done.instance} (${c.url}): ${done.tasks} tasks, ${done.stores} stores, ${done.records} records restored from the changelogs in ${(done.ms / 1000).toFixed(1)} s\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  const n = (f: (r: RebuildSummary) => number) => results.reduce((a, r) => a + f(r), 0);
  process.stderr.write(`rebuild: done on ${results.length} instance(s): ${n((r) => r.tasks)} tasks, ${n((r) => r.stores)} stores, ${n((r) => r.records)} records\n`);
}

interface CopyDone { instance: string; run: string; source: string; target: string; from: string; partitions: number; copied: number; skipped: number; ms: number }

export async function reprocessCommand(args: string[]): Promise<void> {
  const usage = 'iga-stream reprocess --from <YYYY-MM-DD | ISO time | epoch ms> [--json] [--admin-url URL] [--token TOKEN]';
  const { values } = parseCommandArgs(args, { ...CONNECTION, from: { type: 'string' } }, usage);
  if (values.from === undefined) throw new CliError(`--from is required\nusage: ${usage}`, 2);
  const from = timeOption('from', values.from);
  const [client] = adminClients(values['admin-url'], values.token);
  const bars = new Map<number, Progress>();
  const done = await client!.stream('/reprocess', { from }, (line) => {
    if (line.type !== 'progress') return;
    const p = line as unknown as { partition: number; copied: number; skipped: number; total: number; done: boolean };
    let bar = bars.get(p.partition);
    if (!bar) bars.set(p.partition, (bar = new Progress(`reprocess partition ${p.partition}`, p.total, { unit: 'records' })));
    bar.update(p.copied + p.skipped);
    if (p.done) bar.finish(p.skipped > 0 ? `${p.skipped} older skipped` : '');
  }) as unknown as CopyDone;
  if (values.json) process.stdout.write(`${JSON.stringify(done, null, 2)}\n`);
  process.stderr.write(`reprocess: ${done.copied} raw events since ${done.from} from ${done.partitions} partitions of ${done.source} queued on ${done.target} in ${(done.ms / 1000).toFixed(1)} s as run ${done.run}; the topology processes them as they come (existing accounts keep their ids and usernames)\n`);
}

/** `rebuild --offline`: wipes the task state of this (stopped) instance's IGA_STATE_DIR. */
async function rebuildOffline(): Promise<void> {
  const { loadConfig } = await import('../../app/config.ts');
  const { wipeLocalTaskState } = await import('../../features/replay/offlineRebuild.ts');
  const config = loadConfig();
  let bar: Progress | null = null;
  const wiped = await wipeLocalTaskState(config.stateDir, config.appId, (task, i, of) => {
    bar ??= new Progress('rebuild --offline', of, { unit: 'tasks' });
    bar.update(i, of, task);
  });
  (bar as Progress | null)?.finish();
  process.stderr.write(wiped.tasks.length === 0
    ? `rebuild --offline: no local task state in ${wiped.dir}; the next start restores from the changelogs anyway\n`
    : `rebuild --offline: wiped ${wiped.tasks.length} tasks (${wiped.stores} stores) in ${wiped.dir}; the next start restores them from the changelogs\n`);
}
