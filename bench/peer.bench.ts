/**
 * Bulk load side by side (issue 14 part 1): iga-stream and the Kafka Streams peer (bench/peer, Java,
 * exactly-once v2, RocksDB) load the same university on the same Kafka broker, RabbitMQ and DFØ
 * simulator. Run: `npm run bench -- peer`. Settings (env):
 *   BENCH_PEER_EMPLOYEES (25000), BENCH_PEER_POSITIONS (20000)  the university (names: `varied`)
 *   BENCH_PEER_ROUNDS (2)  rounds; odd rounds load iga-stream first, even rounds the peer first
 *   PEER_STREAM_THREADS (one per core), PEER_JAVA_OPTS  for the peer
 *   BENCH_PROFILE=1  iga-stream writes a CPU profile per round to bench/results/profiles/; where its
 *     CPU went during the load goes into the JSON (`profile`) and on stderr
 *   IGA_PROCESSING_GUARANTEE (exactly_once_v2)  for iga-stream (the peer always runs exactly_once_v2)
 * Each side gets a fresh app id (topics, queue, consumer groups), fresh exchanges and an empty state
 * folder. Its time runs from the first publish of the positions' notifications to the last
 * expected CREATE on its out exchange; also its CPU seconds, peak RSS and CPU per kind of thread, and for iga-stream
 * the records and transactions it produced per 1,000 notifications (its /metrics). Checked on each side: as
 * many CREATEs as the oracle expects (tools/dfo-simulator/expectedAccounts.ts) and no more after a
 * settle, as many active accounts on its accounts topic, no username twice; and that both sides gave
 * out the same set of usernames (the same rules; who gets `kari2` and who `kari3` may differ).
 * Writes bench/results/peer.json; the ratio is peer time / iga-stream time (> 1: iga-stream faster).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import kafkajs from 'kafkajs';
import { osloDate } from '../src/iga/clock.ts';
import { defaultPolicy } from '../src/iga/policy.ts';
import { Progress } from '../src/cli/commands/progress.ts';
import { expectedActiveCount } from '../tools/dfo-simulator/expectedAccounts.ts';
import { checkAccounts, type AccountsCheck } from './lib/accounts.ts';
import { captureQueue, publishNotifications } from './lib/amqp.ts';
import type { Child } from './lib/childProcess.ts';
import { benchUniversity, type BenchDataset } from './lib/datasets.ts';
import { buildPeer, startPeer } from './lib/peer.ts';
import { cpuByThreadKind } from './lib/threadCpu.ts';
import { readProfile, windowFromNow, type ProfileResult, type ProfileWindow } from './lib/benchProfile.ts';
import { AMQP, BROKERS, PROCESSING_GUARANTEE, ROOT, serviceEnv, startService, startSimulator } from './lib/services.ts';
import { describeProduced, producedPer1000, scrapeMetrics, scrapeSettled, type ProducedPer1000 } from './lib/serviceMetrics.ts';
import { FIRST_POSITION_ID } from '../tools/dfo-simulator/dataset.ts';

const EMPLOYEES = Number(process.env.BENCH_PEER_EMPLOYEES ?? 25_000);
const POSITIONS = Number(process.env.BENCH_PEER_POSITIONS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 2);
/** After the last expected CREATE, how long to wait for any CREATE too many. */
const SETTLE_MS = 3_000;
const run = `bench-peer-${Date.now().toString(36)}`;
const today = osloDate(new Date());
const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

type Side = 'iga-stream' | 'peer';

interface SideResult {
  side: Side;
  appId: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  creates: number;
  /** CPU seconds per kind of thread over the process's life (Linux thread names: 15 characters). */
  cpuByThread: Record<string, number>;
  accounts: AccountsCheck;
  correct: boolean;
  /** iga-stream with BENCH_PROFILE=1: where its CPU went during the load. */
  profile?: ProfileResult;
  /** iga-stream only: what it produced per 1,000 notifications (records by topic, transactions), from its /metrics. */
  producedPer1000?: ProducedPer1000;
}

async function loadSide(side: Side, round: number, dfoUrl: string, expected: number): Promise<SideResult> {
  const appId = `${run}-r${round}-${side}`;
  let child: Child;
  let stateDir: string;
  let profilePath: string | null = null;
  let window: ProfileWindow | null = null;
  let result: SideResult;
  let adminUrl: string | null = null;
  if (side === 'iga-stream') {
    const svc = await startService(appId, dfoUrl);
    child = svc.child;
    stateDir = svc.stateDir;
    profilePath = svc.profilePath;
    adminUrl = svc.adminUrl;
  } else {
    stateDir = await mkdtemp(join(tmpdir(), `iga-bench-${appId}-`));
    child = await startPeer(serviceEnv(appId, dfoUrl, stateDir));
  }
  const exIn = `${appId}.ex_from_dfo`;
  const exOut = `${appId}.ex_from_iga`;
  try {
    const creates = await captureQueue(AMQP, exOut, 'scim.user.create');
    const progress = new Progress(`round ${round} ${side}`, expected, { unit: 'CREATEs' });
    const metricsBefore = adminUrl ? await scrapeMetrics(adminUrl) : null;
    const cpuBefore = child.cpuSeconds();
    const clock = windowFromNow();
    const started = performance.now();
    const positionIds = Array.from({ length: POSITIONS }, (_, i) => FIRST_POSITION_ID + i);
    const publishing = publishNotifications(AMQP, exIn, 'stillinger', positionIds);
    await creates.waitFor(expected, (n) => progress.update(n), 120_000);
    const seconds = (creates.lastAt - started) / 1000;
    window = clock.end(seconds * 1000);
    const cpuSeconds = child.cpuSeconds() - cpuBefore;
    progress.finish();
    await publishing;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const createCount = creates.count;
    await creates.close();
    const produced = adminUrl && metricsBefore ? producedPer1000(appId, POSITIONS, metricsBefore, await scrapeSettled(adminUrl)) : undefined;
    const peakRssMiB = Math.round(child.peakRssBytes() / 2 ** 20);
    const cpuByThread = cpuByThreadKind(child.pid);
    const accounts = await checkAccounts(BROKERS.split(','), appId, expected);
    const correct = createCount === expected && accounts.active === expected && accounts.duplicateUserNames.length === 0;
    say(`round ${round} ${side}: ${expected} accounts in ${seconds.toFixed(1)} s (CPU ${cpuSeconds.toFixed(1)} s, peak RSS ${peakRssMiB} MiB); `
      + `${createCount} CREATEs, ${accounts.active} active accounts, ${accounts.duplicateUserNames.length} usernames twice${correct ? '' : ' — WRONG'}`);
    if (produced) say(`round ${round} ${side} (${PROCESSING_GUARANTEE}) ${describeProduced(produced)}`);
    result = { side, appId, seconds, cpuSeconds, peakRssMiB, creates: createCount, cpuByThread, accounts, correct, ...(produced ? { producedPer1000: produced } : {}) };
  } finally {
    const exit = await child.stop();
    if (exit !== 0 && exit !== 143) say(`warning: ${side} exited with ${exit} on SIGTERM; its last lines:\n${child.tail()}`);
    await rm(stateDir, { recursive: true, force: true });
  }
  // The profile is written when the service exits.
  const profile = profilePath && window ? await readProfile(profilePath, window, ROOT, `round ${round} iga-stream`, say) : null;
  return profile ? { ...result, profile } : result;
}

/** A side's result without the username set (only its size goes into the JSON). */
function forJson(r: SideResult): object {
  const { activeUserNames, activeByPerson: _byPerson, ...accounts } = r.accounts;
  return { ...r, accounts: { ...accounts, activeUserNames: activeUserNames.size } };
}

/** Removes what this run created: its topics, and the exchanges and queues of its app ids. */
async function cleanUp(appIds: string[]): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers: BROKERS.split(','), clientId: 'bench-clean', logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(run));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
  const conn = await amqp.connect(AMQP);
  for (const appId of appIds) {
    // One channel per call: a failed delete closes its channel.
    for (const del of [(c: amqp.Channel) => c.deleteQueue(`${appId}.dfo-in`), (c: amqp.Channel) => c.deleteExchange(`${appId}.ex_from_dfo`), (c: amqp.Channel) => c.deleteExchange(`${appId}.ex_from_iga`)]) {
      const ch = await conn.createChannel();
      await del(ch).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  }
  await conn.close();
}

const spec: BenchDataset = { dataset: 'university', employees: EMPLOYEES, positions: POSITIONS, seed: 2026, today, names: 'varied' };
const expected = expectedActiveCount(benchUniversity(spec), today, defaultPolicy);
await buildPeer(say);
say(`peer comparison: ${EMPLOYEES} employees, ${POSITIONS} positions (varied names) → ${expected} accounts, ${ROUNDS} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const sim = await startSimulator(spec);
const rounds: Array<{ round: number; order: Side[]; igaStream: SideResult; peer: SideResult; sameUserNames: boolean; ratio: number }> = [];
const appIds: string[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Side[] = round % 2 === 1 ? ['iga-stream', 'peer'] : ['peer', 'iga-stream'];
    const results = new Map<Side, SideResult>();
    for (const side of order) {
      appIds.push(`${run}-r${round}-${side}`);
      results.set(side, await loadSide(side, round, sim.url, expected));
    }
    const igaStream = results.get('iga-stream')!;
    const peer = results.get('peer')!;
    const sameUserNames = igaStream.accounts.activeUserNames.size === peer.accounts.activeUserNames.size
      && [...igaStream.accounts.activeUserNames].every((u) => peer.accounts.activeUserNames.has(u));
    if (!sameUserNames) say(`round ${round}: the two sides gave out different sets of usernames — WRONG`);
    rounds.push({ round, order, igaStream, peer, sameUserNames, ratio: peer.seconds / igaStream.seconds });
    say(`round ${round}: peer time / iga-stream time = ${(peer.seconds / igaStream.seconds).toFixed(2)}`);
  }
} finally {
  await sim.stop();
  await cleanUp(appIds);
}
const ratios = rounds.map((r) => r.ratio);
const meanRatio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
const allCorrect = rounds.every((r) => r.igaStream.correct && r.peer.correct && r.sameUserNames);
const result = {
  date: new Date().toISOString(), machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageAtEnd: loadavg() },
  node: process.version,
  settings: { employees: EMPLOYEES, positions: POSITIONS, names: 'varied', expectedAccounts: expected, rounds: ROUNDS, peerStreamThreads: process.env.PEER_STREAM_THREADS ?? 'one per core', igaStreamProcessingGuarantee: PROCESSING_GUARANTEE, peerProcessingGuarantee: 'exactly_once_v2' },
  rounds: rounds.map((r) => ({ ...r, igaStream: forJson(r.igaStream), peer: forJson(r.peer) })), meanRatio, allCorrect, target: 'peer / iga-stream >= 1.2',
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/peer.json'), `${JSON.stringify(result, null, 2)}\n`);
say(`peer time / iga-stream time per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; mean ${meanRatio.toFixed(2)}${allCorrect ? '' : '; SOME SIDE WAS WRONG (see above)'}`);
process.exit(allCorrect ? 0 : 1);
