/**
 * One service under test, in this process, for the fault scenarios: the DFØ simulator (real HTTP)
 * with a generated university, the service on the given Kafka broker and RabbitMQ (the shared ones,
 * or a broker the test started itself), a notify capture that survives broker restarts, a Kafka
 * view for the final checks, and probes: a new person announced now, timed until their CREATE
 * event reached RabbitMQ.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { pino } from 'pino';
import { generateUniversity, startDfoSimulator, type DfoSimulator, type RawObject, type University } from '../../../tools/dfo-simulator/index.ts';
import { expectedAccounts, type ExpectedPerson } from '../../../tools/dfo-simulator/expectedAccounts.ts';
import { loadConfig, type Config } from '../../../src/app/config.ts';
import { topicNames } from '../../../src/topology/contracts/topics.ts';
import { osloDate } from '../../../src/iga/clock.ts';
import { makePolicy } from '../../../src/iga/policy.ts';
import { startService, type RunningService } from '../../../src/app/service.ts';
import { amqpUrl as sharedAmqpUrl, eventually, kafkaBrokers as sharedKafkaBrokers, requireBrokers, uniqueName } from '../../support/brokers.ts';
import { deleteTopicsWithPrefix, kafkaView, type KafkaView } from '../../support/kafkaView.ts';
import { ansatt, stilling } from '../../e2e/stack.ts';
import { captureNotify, type NotifyCapture } from './notifyCapture.ts';

export const ADMIN_TOKEN = 'faults-admin-secret';
const RESULTS = join(import.meta.dirname, '..', 'results');
const OPEN = '9999-12-31';

export interface RigOptions {
  /** Short scenario name, the start of the app id. */
  scenario: string;
  /** Default: the shared test broker. */
  kafkaBrokers?: string[];
  /** Default: the shared RabbitMQ. */
  amqpUrl?: string;
  employees: number;
  positions: number;
  partitions?: number;
  /** How many SCIM clients (tokens `faults-token-<i>`) to configure; each has its own rate limit. */
  scimClients?: number;
  env?: Record<string, string>;
}

export interface Rig {
  appId: string;
  config: Config;
  /** Where the service logs (test/faults/results/<scenario>.service.log, kept after the run). */
  logFile: string;
  today: string;
  uni: University;
  /** The university's position ids, in the order a load announces them. */
  positionIds: string[];
  sim: DfoSimulator;
  service: RunningService;
  capture: NotifyCapture;
  view: KafkaView;
  topics: ReturnType<typeof topicNames>;
  amqpUrl: string;
  scimToken(i?: number): string;
  /** A SCIM request with a valid token; the body is read as text. */
  scim(path: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }>;
  /** What the pure rules expect for the positions announced so far (and every probe). */
  expected(announcedPositionIds: Iterable<string>): Map<string, ExpectedPerson>;
  /** Announces a new person holding a new position now; resolves with ms until their CREATE event reached RabbitMQ. */
  probe(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startRig(opts: RigOptions): Promise<Rig> {
  await requireBrokers();
  const brokers = opts.kafkaBrokers ?? sharedKafkaBrokers;
  const url = opts.amqpUrl ?? sharedAmqpUrl;
  const appId = uniqueName(`faults-${opts.scenario}`);
  const exIn = `${appId}.ex_from_dfo`;
  const exOut = `${appId}.ex_from_iga`;
  const today = osloDate(new Date());
  const uni = generateUniversity({ seed: 2026, employees: opts.employees, positions: opts.positions, today });
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-faults-'));
  const sim = await startDfoSimulator({ dataset: uni, amqp: { url, exchange: exIn } });
  const clients = Array.from({ length: opts.scimClients ?? 1 }, (_, i) => `client${i}:faults-token-${i}`).join(',');
  const config = loadConfig({
    IGA_KAFKA_BROKERS: brokers.join(','), IGA_AMQP_URL: url, IGA_AMQP_EXCHANGE_IN: exIn, IGA_AMQP_EXCHANGE_OUT: exOut,
    IGA_DFO_API_URL: sim.url, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1', IGA_SCIM_TOKENS: clients, IGA_ADMIN_TOKENS: `ops:${ADMIN_TOKEN}`,
    IGA_SCIM_RESOURCE_URI_PREFIX: 'https://iga.example.no/scim/v2', IGA_EMAIL_DOMAIN: 'example.no', IGA_INSTITUTION: 'example',
    IGA_APP_ID: appId, IGA_STATE_DIR: stateDir, IGA_PARTITIONS: String(opts.partitions ?? 3), IGA_COMMIT_INTERVAL_MS: '100',
    IGA_PUNCTUATE_INTERVAL_MS: '200', IGA_DFO_PARK_RETRY_MS: '500',
    // Every scenario only creates accounts; the brake has nothing to hold and should not add its settle wait.
    IGA_BRAKE_MAX_BLOCKS: '0', IGA_BRAKE_MAX_SHARE: '0', IGA_BRAKE_SETTLE_MS: '0',
    ...opts.env,
  });
  const topics = topicNames(appId);
  const capture = await captureNotify(url, exOut, `${appId}.notify-capture`);
  // The service's log goes to a file: a broker outage makes every Kafka client log errors, which would bury the test output.
  const logFile = join(RESULTS, `${opts.scenario}.service.log`);
  await mkdir(RESULTS, { recursive: true });
  const log = pino({ level: process.env.IGA_LOG_LEVEL === 'debug' ? 'debug' : 'info', base: { service: 'iga-stream' } }, pino.destination({ dest: logFile, sync: true, append: false }));
  let service: RunningService | null = null;
  let view: KafkaView;
  try {
    service = await startService({ config, policy: makePolicy({}), instanceId: 'faults-1', log });
    await service.ready;
    await service.streams.allTasksReady();
    view = await kafkaView(`${appId}-check`, brokers);
  } catch (err) {
    await service?.close().catch(() => undefined);
    await capture.close();
    await sim.close();
    await rm(stateDir, { recursive: true, force: true });
    throw new Error(`the service did not start (its log: ${logFile}): ${String(err)}`, { cause: err });
  }
  const running: RunningService = service;

  const probes: Array<{ employee: RawObject; position: RawObject }> = [];
  const rig: Rig = {
    appId, config, logFile, today, uni, sim, service: running, capture, view, topics, amqpUrl: url,
    positionIds: uni.positions.map((p) => String(p.id)),
    scimToken: (i = 0) => `faults-token-${i}`,
    async scim(path, init = {}) {
      const res = await fetch(`${running.scimUrl}${path}`, { ...init, headers: { authorization: `Bearer ${rig.scimToken()}`, accept: 'application/scim+json', ...init.headers } });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    expected(announced) {
      const positions = [...new Set(announced)].map((id) => sim.getPosition(id)!).concat(probes.map((p) => p.position));
      return expectedAccounts({ employees: [...uni.employees, ...probes.map((p) => p.employee)], positions }, today, makePolicy({}));
    },
    async probe(timeoutMs = 60_000) {
      const n = probes.length + 1;
      const employeeId = String(900_000 + n);
      const employee = ansatt(employeeId, `Pro${String.fromCharCode(97 + (n % 26))}be`, `Målingsen${n}`, { startdato: '2020-01-01' });
      const position = stilling(String(39_000_000 + n), [[employeeId, '2020-01-01', OPEN]]);
      probes.push({ employee, position });
      await sim.upsertEmployee(employee);
      await sim.upsertPosition(position);
      const started = Date.now();
      await publishPatiently(() => sim.publish('stillinger', String(position.id)));
      const account = await eventually(`probe ${n} (employee ${employeeId}) to get an account`, () => [...running.index.values()].find((a) => a.personId === employeeId), timeoutMs, 25);
      await eventually(`probe ${n}'s CREATE event on RabbitMQ`, () => capture.ids.has(`${account.id}:v1`), timeoutMs, 25);
      return Date.now() - started;
    },
    async close() {
      await running.close().catch(() => undefined);
      await capture.close();
      await view.close().catch(() => undefined);
      await sim.close();
      if (brokers.join(',') === sharedKafkaBrokers.join(',')) await deleteTopicsWithPrefix(appId).catch(() => undefined);
      await deleteAmqpLeftovers(url, [config.amqp.queueIn], [exIn, exOut]);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** Publishes, retrying while RabbitMQ is unreachable (a restart); resolves with the confirmed result. */
export async function publishPatiently<T>(publish: () => Promise<T>, giveUpAfterMs = 60_000): Promise<T> {
  const until = Date.now() + giveUpAfterMs;
  for (;;) {
    try {
      return await publish();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The test's queues and exchanges on a broker that outlives it. */
async function deleteAmqpLeftovers(url: string, queues: string[], exchanges: string[]): Promise<void> {
  try {
    const conn = await amqp.connect(url);
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    for (const x of exchanges) await ch.deleteExchange(x);
    await conn.close();
  } catch { /* an own broker that is already gone */ }
}
