/**
 * What the stream and peer benchmarks start: the DFØ simulator in a worker thread (so its HTTP
 * answers do not share an event loop with the driver) and iga-stream as a child process on the
 * local Kafka and RabbitMQ, with its own app id, exchanges and state folder.
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cpuProfileOptions, PROFILE } from './benchProfile.ts';
import { startChild, waitForHttp, type Child } from './childProcess.ts';
import type { BenchDataset } from './datasets.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const AMQP = process.env.IGA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const BROKERS = process.env.IGA_KAFKA_BROKERS ?? '127.0.0.1:9092';
export const SCIM_TOKEN = 'bench-scim-token-0123456789';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startSimulator(spec: BenchDataset): Promise<{ url: string; stop(): Promise<void> }> {
  const worker = new Worker(new URL('./simWorker.ts', import.meta.url), { workerData: spec });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  return { url, stop: async () => { worker.postMessage('stop'); await new Promise((r) => worker.once('exit', r)); } };
}

export interface ServiceHandle {
  child: Child; appId: string; exIn: string; exOut: string; scimUrl: string; stateDir: string;
  /** With BENCH_PROFILE=1: where the service writes its CPU profile when it exits. */
  profilePath: string | null;
  /** The operations port: /readyz, /metrics. */
  adminUrl: string;
}

/** The processing guarantee the service runs with (IGA_PROCESSING_GUARANTEE, passed on from the bench's environment; the service's default otherwise). */
export const PROCESSING_GUARANTEE = process.env.IGA_PROCESSING_GUARANTEE ?? 'exactly_once_v2';

/** The IGA_* settings both iga-stream and the Kafka Streams peer read, for app id `appId`. */
export function serviceEnv(appId: string, dfoUrl: string, stateDir: string): Record<string, string> {
  // The exchange names here are the ones ServiceHandle reports.
  return {
    IGA_APP_ID: appId, IGA_KAFKA_BROKERS: BROKERS, IGA_AMQP_URL: AMQP, IGA_AMQP_EXCHANGE_IN: `${appId}.ex_from_dfo`, IGA_AMQP_EXCHANGE_OUT: `${appId}.ex_from_iga`,
    IGA_DFO_API_URL: dfoUrl, IGA_STATE_DIR: stateDir, IGA_LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn', IGA_EMAIL_DOMAIN: 'bench.uib.no',
  };
}

/** Where BENCH_PROFILE=1 puts the service's CPU profiles. */
export const PROFILE_DIR = join(ROOT, 'bench/results/profiles');

/**
 * The memory settings the Dockerfile and ./iga-stream give the service (bench/README.md "Memory"):
 * glibc's fixed mmap threshold and two arenas. BENCH_SERVICE_NODE_OPTIONS gives the service Node
 * options (e.g. --max-semi-space-size=4, tried and left out), BENCH_SERVICE_MALLOC=default leaves glibc as it is (to compare).
 */
function serviceMalloc(): Record<string, string> {
  return process.env.BENCH_SERVICE_MALLOC === 'default' ? {} : { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
}
const SERVICE_NODE_OPTIONS = process.env.BENCH_SERVICE_NODE_OPTIONS ?? '';

/**
 * Starts iga-stream (`node src/cli/main.ts run`) as `appId` and waits until it is ready. Node
 * options: BENCH_SERVICE_NODE_OPTIONS (default the Dockerfile's), and with BENCH_PROFILE=1 the CPU
 * profiler's (PROFILE_DIR/<appId>.cpuprofile).
 */
export async function startService(appId: string, dfoUrl: string): Promise<ServiceHandle> {
  const [scimPort, adminPort] = [await freePort(), await freePort()];
  const stateDir = await mkdtemp(join(tmpdir(), `iga-bench-${appId}-`));
  const profile = PROFILE ? cpuProfileOptions(PROFILE_DIR, appId) : null;
  const nodeOptions = [SERVICE_NODE_OPTIONS, profile?.nodeOptions].filter(Boolean).join(' ');
  const env = {
    ...serviceEnv(appId, dfoUrl, stateDir),
    IGA_SCIM_PORT: String(scimPort), IGA_ADMIN_PORT: String(adminPort), IGA_SCIM_HOST: '127.0.0.1', IGA_SCIM_TOKENS: `bench:${SCIM_TOKEN}`,
    ...serviceMalloc(),
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  };
  const child = startChild(['src/cli/main.ts', 'run'], env, ROOT);
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitForHttp(`${adminUrl}/readyz`, child);
  return { child, appId, exIn: `${appId}.ex_from_dfo`, exOut: `${appId}.ex_from_iga`, scimUrl: `http://127.0.0.1:${scimPort}`, stateDir, adminUrl, profilePath: profile?.path ?? null };
}
