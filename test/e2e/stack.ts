/**
 * The whole system for end-to-end tests: the DFØ simulator (real HTTP), the service on the real
 * Kafka broker and RabbitMQ, a queue that captures notify events on the out exchange, and a
 * quiescence check that waits until every consumer group has processed everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { loadConfig, type Config } from '../../src/app/config.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { osloDate } from '../../src/iga/clock.ts';
import { makePolicy, type Policy } from '../../src/iga/policy.ts';
import { startService, type RunningService } from '../../src/app/service.ts';
import { igaInputTopics } from '../support/groups.ts';
import { deleteTopicsWithPrefix, kafkaView, type TopicRecord } from '../support/kafkaView.ts';
import { rootLogger, type Logger } from '../../src/common/log.ts';
import { amqpUrl, eventually, kafkaBrokers, requireBrokers, uniqueName } from '../support/brokers.ts';
import { captureExchange } from '../support/exchangeCapture.ts';
import { testCommitMode } from '../support/commitMode.ts';
import type { ConsumeMessage } from 'amqplib';

/** The admin token the stack's service accepts. */
export const ADMIN_TOKEN = 'e2e-admin-secret';

export interface NotifyEvent { routingKey: string; messageId: string; contentType: string; persistent: boolean; body: { schemas: string[]; resourceUris: string[]; type: string; attributes?: string[] } }

export function toNotifyEvent(m: ConsumeMessage): NotifyEvent {
  return { routingKey: m.fields.routingKey, messageId: String(m.properties.messageId), contentType: String(m.properties.contentType), persistent: m.properties.deliveryMode === 2, body: JSON.parse(m.content.toString()) };
}

export interface Stack {
  appId: string;
  config: Config;
  sim: DfoSimulator;
  service: RunningService;
  events: NotifyEvent[];
  clock: { now: number; set(iso: string): void };
  scim(path: string): Promise<{ status: number; body: any }>;
  /** GET on the admin API with the admin token (`/admin` is prefixed). */
  admin(path: string, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  quiesce(): Promise<void>;
  readTopic(topic: string): Promise<TopicRecord[]>;
  /** Stops the service, runs `whileDown` (e.g. moves the clock), and starts it again on the same state (with `env` added to the configuration, if given). */
  restart(whileDown?: () => void | Promise<void>, env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(opts: { start: string; policy?: Partial<Policy>; partitions?: number; env?: Record<string, string>; log?: Logger }): Promise<Stack> {
  await requireBrokers();
  const appId = uniqueName('e2e');
  const exIn = `${appId}.ex_from_dfo`;
  const exOut = `${appId}.ex_from_iga`;
  const clock = { now: Date.parse(opts.start), set(iso: string) { this.now = Date.parse(iso); } };
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-e2e-'));
  const sim = await startDfoSimulator({ amqp: { url: amqpUrl, exchange: exIn }, today: () => osloDate(new Date(clock.now)) });
  const configEnv = {
    IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: amqpUrl, IGA_AMQP_EXCHANGE_IN: exIn, IGA_AMQP_EXCHANGE_OUT: exOut,
    IGA_DFO_API_URL: sim.url, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1', IGA_SCIM_TOKENS: 'tests:e2e-secret', IGA_ADMIN_TOKENS: `ops:${ADMIN_TOKEN}`,
    IGA_SCIM_RESOURCE_URI_PREFIX: 'https://gw-uib.intark.uh-it.no/iga/scim/v2', IGA_EMAIL_DOMAIN: 'uib.no', IGA_INSTITUTION: 'uib',
    IGA_APP_ID: appId, IGA_STATE_DIR: stateDir, IGA_PARTITIONS: String(opts.partitions ?? 3), IGA_COMMIT_INTERVAL_MS: '50',
    IGA_PUNCTUATE_INTERVAL_MS: '200', IGA_DFO_PARK_RETRY_MS: '500', IGA_BRAKE_SETTLE_MS: '300',
    IGA_PROCESSING_GUARANTEE: testCommitMode(),
    ...opts.env,
  };
  let config = loadConfig(configEnv);
  const policy = makePolicy(opts.policy ?? {});
  const capture = await captureExchange<NotifyEvent>(exOut, toNotifyEvent);
  const events = capture.items;
  const log = opts.log ?? rootLogger;
  let service = await startService({ config, policy, clock: () => clock.now, instanceId: 'e2e-1', log });
  await service.ready;
  const view = await kafkaView(`${appId}-quiesce`);
  const topics = topicNames(appId);

  const stack: Stack = {
    appId, config, sim, service, events, clock,
    async scim(path) {
      const res = await fetch(`${stack.service.scimUrl}${path}`, { headers: { authorization: 'Bearer e2e-secret', accept: 'application/scim+json' } });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    },
    async admin(path, token = ADMIN_TOKEN) {
      const res = await fetch(`${stack.service.adminUrl}/admin${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json(), headers: res.headers };
    },
    async quiesce() {
      const inputs = igaInputTopics(appId, { publishers: config.publish.publishers !== null });
      await view.quiesce([{ groupId: appId, topics: inputs }, { groupId: `${appId}.egress`, topics: [topics.notify] }], 60_000, 150);
      // The account replica follows the accounts topic; give it the same guarantee.
      await eventually('the account replica to catch up', async () => {
        const accounts = await stack.readTopic(topics.accounts);
        const latest = new Map(accounts.map((a) => [a.key, a.value]));
        return [...latest.values()].every((a) => stack.service.index.get(a.id)?.version === a.version);
      }, 30_000, 100);
    },
    readTopic: (topic) => view.readTopic(topic),
    async restart(whileDown, env) {
      await stack.service.close();
      await whileDown?.();
      if (env) stack.config = config = loadConfig({ ...configEnv, ...env });
      service = await startService({ config, policy, clock: () => clock.now, instanceId: 'e2e-2', log });
      stack.service = service;
      await service.ready;
    },
    async close() {
      await stack.service.close();
      await capture.close();
      await view.close();
      await sim.close();
      await deleteTopicsWithPrefix(appId);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A raw DFØ `ansatt` in DFØ's own shape. */
export function ansatt(id: string, fornavn: string, etternavn: string, extra: Record<string, unknown> = {}) {
  return { id: id.padStart(8, '0'), fornavn, etternavn, fnr: '01017012345', startdato: '2020-01-01', sluttdato: '9999-12-31', stillingId: 99999999, eksternbruker: true, ...extra };
}

/** A raw DFØ `stilling` with holders [employee id, start, end]. */
export function stilling(id: string, holders: Array<[string, string, string]>) {
  return {
    id: Number(id), stillingsnavn: `Stilling ${id}`, stillingskode: '20001434', organisasjonId: '10000001',
    innehaver: holders.map(([a, s, e]) => ({ innehaverAnsattnr: a.padStart(8, '0'), innehaverStartdato: s, innehaverSluttdato: e })),
  };
}
