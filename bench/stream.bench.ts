/**
 * Stream benchmark (issue #3 part 7), on the real Kafka broker and RabbitMQ of this machine.
 * Run: `npm run bench -- stream` (or `node bench/stream.bench.ts`). Settings (env):
 *   BENCH_E2E_NOTIFICATIONS (5000)  notifications for part (a)
 *   BENCH_EMPLOYEES (100000), BENCH_POSITIONS (80000)  the university of part (b)
 *   BENCH_PARTS (a,b)  which parts to run; (c) and (d) come with (b)
 *   BENCH_RESTORE_CONCURRENCY (6)  partitions restored side by side in (c)
 *   BENCH_SERVICE_NODE_OPTIONS  Node options of the service process (default none, as the Dockerfile);
 *                               BENCH_SERVICE_MALLOC=default: glibc defaults
 *   BENCH_PROFILE=1  the service processes of (a) and (b) write CPU profiles to bench/results/profiles/;
 *     where their CPU went while measured goes into the JSON (`profile`) and on stderr
 *   IGA_PROCESSING_GUARANTEE (exactly_once_v2)  passed on to the service; recorded in the settings
 * Parts, each a figure measured in this one run:
 *   (a) end-to-end DFØ notifications/s, RabbitMQ publish → notify event on the out exchange, with
 *       the DFØ simulator answering at once; against a bare pipe of the same clients
 *       (RabbitMQ → Kafka → RabbitMQ, no processing) as the ratio; and what the service produced
 *       per 1,000 notifications (records by topic, changelog records by store, transactions), read
 *       from its /metrics (lib/serviceMetrics.ts);
 *   (b) initial load of the university from empty state until every account exists (SCIM), and
 *       what the service produced per 1,000 notifications as in (a);
 *   (c) restore rate of the stores from their changelogs against a bare consume of the same topics;
 *   (d) peak RSS of the service process during (b), and where it goes at the highest sampled RSS
 *       (V8 heap, external/array buffers, RocksDB's memtables, cache and table readers, the rest).
 * With (a) and (b) also the CPU seconds the process under test used: on a shared machine they vary
 * less between runs than the rates do.
 * The service and the bare pipe run as child processes; the simulator in a worker thread.
 * Writes bench/results/stream.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { expectedActiveCount } from '../tools/dfo-simulator/expectedAccounts.ts';
import { osloDate } from '../src/iga/clock.ts';
import { defaultPolicy } from '../src/iga/policy.ts';
import { Progress } from '../src/cli/commands/progress.ts';
import { captureQueue, publishNotifications } from './lib/amqp.ts';
import { startChild, waitForLine, type Child } from './lib/childProcess.ts';
import { benchUniversity, ONE_HOLDER_FIRST_POSITION } from './lib/datasets.ts';
import { AMQP, BROKERS, PROCESSING_GUARANTEE, ROOT, SCIM_TOKEN, startService as startServiceAs, startSimulator, type ServiceHandle } from './lib/services.ts';
import { describeProduced, producedPer1000, scrapeMetrics, scrapeSettled } from './lib/serviceMetrics.ts';
import { inFreshProcess } from './lib/restoreRate.ts';
import { readProfile, windowFromNow, type ProfileWindow } from './lib/benchProfile.ts';
import { describeSample, inMiB, sampleMemory } from './lib/memorySampler.ts';

const E2E = Number(process.env.BENCH_E2E_NOTIFICATIONS ?? 5000);
const EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 100_000);
const POSITIONS = Number(process.env.BENCH_POSITIONS ?? 80_000);
/**
 * Partitions restored side by side in (c). The service starts every assigned task at once and each
 * restores its stores in turn, so a fresh instance restores as many partitions at a time as it
 * has tasks; the default (6, one sub-topology's partitions) stays below that.
 */
const RESTORE_CONCURRENCY = Number(process.env.BENCH_RESTORE_CONCURRENCY ?? 6);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'a,b').split(',').map((p) => p.trim()));
const run = `bench-${Date.now().toString(36)}`;
const today = osloDate(new Date());
const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const startService = (name: string, dfoUrl: string): Promise<ServiceHandle> => startServiceAs(`${run}-${name}`, dfoUrl);

async function scimTotal(scimUrl: string, filter: string): Promise<number> {
  const res = await fetch(`${scimUrl}/Users?count=0&filter=${encodeURIComponent(filter)}`, { headers: { authorization: `Bearer ${SCIM_TOKEN}` } });
  if (!res.ok) return -1;
  return ((await res.json()) as { totalResults: number }).totalResults;
}

/**
 * Publishes `ids` and measures until `expected` events arrived on `exOut`; also the CPU seconds the
 * process under test (`child`) used per 1000 notifications, a figure that depends less on what else
 * runs on the machine than the rate does.
 */
async function throughput(label: string, exIn: string, exOut: string, ids: number[], expected: number, child: Child): Promise<{ notifications: number; seconds: number; perSecond: number; cpuSecondsPer1000: number; window: ProfileWindow }> {
  const capture = await captureQueue(AMQP, exOut);
  const progress = new Progress(label, expected, { unit: 'events' });
  const cpuBefore = child.cpuSeconds();
  const window = windowFromNow();
  const started = performance.now();
  const publishing = publishNotifications(AMQP, exIn, 'stillinger', ids);
  await capture.waitFor(expected, (n) => progress.update(n));
  await publishing;
  const cpu = child.cpuSeconds() - cpuBefore;
  const seconds = (capture.lastAt - started) / 1000;
  progress.finish();
  await capture.close();
  return { notifications: ids.length, seconds, perSecond: ids.length / seconds, cpuSecondsPer1000: (cpu / ids.length) * 1000, window: window.end(seconds * 1000) };
}

async function cleanTopics(prefix: string): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers: BROKERS.split(','), clientId: 'bench-clean', logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(), machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) }, node: process.version,
  settings: { e2eNotifications: E2E, employees: EMPLOYEES, positions: POSITIONS, processingGuarantee: PROCESSING_GUARANTEE },
};
const stateDirs: string[] = [];
try {
  if (PARTS.has('a')) await partA();
  if (PARTS.has('b')) await partsBCD();
  for (const d of stateDirs) await rm(d, { recursive: true, force: true });
} finally {
  await cleanTopics(run);
}
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/stream.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(0);

async function partA(): Promise<void> {
  // (a) baseline: the bare pipe.
  say(`(a) bare pipe RabbitMQ → Kafka → RabbitMQ, ${E2E} notifications`);
  const pipeTopic = `${run}-pipe`;
  const pipe = startChild(['bench/lib/barePipe.ts', AMQP, `${pipeTopic}.in`, `${pipeTopic}.out`, BROKERS, pipeTopic], {}, ROOT);
  await waitForLine(pipe, 'ready');
  const ids = Array.from({ length: E2E }, (_, i) => ONE_HOLDER_FIRST_POSITION + i);
  const bare = await throughput('bare pipe', `${pipeTopic}.in`, `${pipeTopic}.out`, ids, E2E, pipe);
  await pipe.stop();

  // (a) iga-stream: one CREATE per notification (each position has one current holder).
  say(`(a) iga-stream end to end, ${E2E} notifications (each: GET position, GET employee, username claim, CREATE)`);
  const simA = await startSimulator({ dataset: 'one-holder', count: E2E, today });
  const svcA = await startService('e2e', simA.url);
  const metricsBefore = await scrapeMetrics(svcA.adminUrl);
  const ours = await throughput('iga-stream', svcA.exIn, svcA.exOut, ids, E2E, svcA.child);
  const produced = producedPer1000(svcA.appId, E2E, metricsBefore, await scrapeSettled(svcA.adminUrl));
  await svcA.child.stop();
  await simA.stop();
  const profile = svcA.profilePath ? await readProfile(svcA.profilePath, ours.window, ROOT, '(a) the service', say) : undefined;
  const cpuRatio = bare.cpuSecondsPer1000 / ours.cpuSecondsPer1000;
  const { window: _bareWindow, ...bareResult } = bare;
  const { window: _window, ...oursResult } = ours;
  results.endToEnd = { bare: bareResult, igaStream: { ...oursResult, producedPer1000: produced, ...(profile ? { profile } : {}) }, ratio: ours.perSecond / bare.perSecond, cpuRatio, target: '>= 0.5' };
  say(`(a) ${ours.perSecond.toFixed(0)}/s vs bare ${bare.perSecond.toFixed(0)}/s: ratio ${(ours.perSecond / bare.perSecond).toFixed(2)}; `
    + `CPU per 1000 notifications ${ours.cpuSecondsPer1000.toFixed(2)} s vs bare ${bare.cpuSecondsPer1000.toFixed(2)} s (ratio ${cpuRatio.toFixed(2)})`);
  say(`(a) iga-stream (${PROCESSING_GUARANTEE}) ${describeProduced(produced)}`);
  stateDirs.push(svcA.stateDir);
}

async function partsBCD(): Promise<void> {

  // (b) initial load of a university from empty state.
  say(`(b) initial load: ${EMPLOYEES} employees, ${POSITIONS} positions`);
  const spec = { dataset: 'university', employees: EMPLOYEES, positions: POSITIONS, seed: 2026, today } as const;
  const expected = expectedActiveCount(benchUniversity(spec), today, defaultPolicy);
  const simB = await startSimulator(spec);
  const svcB = await startService('load', simB.url);
  const memory = sampleMemory(`${svcB.adminUrl}/metrics`, svcB.child.pid);
  const load = new Progress('initial load', expected, { unit: 'active accounts' });
  const window = windowFromNow();
  const started = performance.now();
  const cpuBefore = svcB.child.cpuSeconds();
  const positionIds = Array.from({ length: POSITIONS }, (_, i) => 30_000_001 + i);
  const metricsBefore = await scrapeMetrics(svcB.adminUrl);
  const publishing = publishNotifications(AMQP, svcB.exIn, 'stillinger', positionIds);
  let active = 0;
  let lastChange = Date.now();
  while (active < expected) {
    await new Promise((r) => setTimeout(r, 500));
    const n = await scimTotal(svcB.scimUrl, 'active eq true');
    if (n !== active) lastChange = Date.now();
    active = Math.max(active, n);
    load.update(active);
    if (Date.now() - lastChange > 120_000) throw new Error(`initial load stalled at ${active}/${expected} active accounts; the service's last lines:\n${svcB.child.tail()}`);
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const loadCpuSeconds = svcB.child.cpuSeconds() - cpuBefore;
  load.finish();
  await publishing;
  const produced = producedPer1000(svcB.appId, POSITIONS, metricsBefore, await scrapeSettled(svcB.adminUrl));
  const peakRss = svcB.child.peakRssBytes();
  const { peak: atPeak, series } = await memory.stop();
  results.initialLoad = { employees: EMPLOYEES, positions: POSITIONS, notifications: POSITIONS, activeAccounts: expected, seconds: loadSeconds, serviceCpuSeconds: loadCpuSeconds, producedPer1000: produced, target: '< 120 s' };
  results.peakRss = {
    bytes: peakRss, MiB: Math.round(peakRss / 2 ** 20), during: 'initial load (b)',
    ...(atPeak ? { breakdownMiB: inMiB(atPeak), seriesMiB: series.map(inMiB) } : {}),
  };
  say(`(b) ${expected} accounts in ${loadSeconds.toFixed(1)} s (service CPU ${loadCpuSeconds.toFixed(1)} s); (d) peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`);
  say(`(b) ${describeProduced(produced)}`);
  if (atPeak) say(`(d) at the highest sample (${atPeak.at.toFixed(0)} s): ${describeSample(atPeak)}`);
  const exit = await svcB.child.stop();
  if (exit !== 0) say(`warning: the service exited with ${exit} on SIGTERM`);
  await simB.stop();
  if (svcB.profilePath) {
    const profile = await readProfile(svcB.profilePath, window.end(loadSeconds * 1000), ROOT, '(b) the service', say);
    if (profile) results.initialLoad = { ...(results.initialLoad as object), profile };
  }

  // (c) restore of (b)'s stores vs a bare consume of the same changelog topics.
  const admin = new kafkajs.Kafka({ brokers: BROKERS.split(','), clientId: 'bench-list', logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const changelogs = (await admin.listTopics()).filter((t) => t.startsWith(`${svcB.appId}-`) && t.endsWith('-changelog')).sort();
  await admin.disconnect();
  say(`(c) restore of ${changelogs.length} changelog topics vs a bare consume`);
  const rp = new Progress('restore', null, { unit: 'records' });
  // Each side in a fresh process, as a freshly started instance restores (see restoreRate.ts).
  const restore = await inFreshProcess('restore', BROKERS.split(','), changelogs, RESTORE_CONCURRENCY, (n) => rp.update(n));
  rp.finish();
  const bp = new Progress('bare consume', restore.records, { unit: 'records' });
  const consume = await inFreshProcess('bare', BROKERS.split(','), changelogs, restore.records, (n) => bp.update(n));
  bp.finish();
  results.restore = { topics: changelogs, concurrency: RESTORE_CONCURRENCY, restore, bareConsume: consume, ratio: restore.perSecond / consume.perSecond, target: '>= 0.7' };
  say(`(c) restore ${restore.perSecond.toFixed(0)} records/s vs bare consume ${consume.perSecond.toFixed(0)}/s: ratio ${(restore.perSecond / consume.perSecond).toFixed(2)}; `
    + `CPU ${restore.cpuSeconds?.toFixed(2)} s vs ${consume.cpuSeconds?.toFixed(2)} s`);
  stateDirs.push(svcB.stateDir);
}
