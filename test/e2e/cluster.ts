/**
 * A deployment of several service instances in one consumer group, for end-to-end tests of
 * operations across instances (rebuild, reprocess): the DFØ simulator (real HTTP), N instances of
 * the service in this process, each with its own state dir and ports, on the real Kafka broker and
 * RabbitMQ, a queue that captures every notify event, and a quiescence check over all groups.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { loadConfig, type Config } from '../../src/app/config.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { osloDate } from '../../src/iga/clock.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { startService, type RunningService } from '../../src/app/service.ts';
import { igaInputTopics } from '../support/groups.ts';
import { deleteTopicsWithPrefix, kafkaView } from '../support/kafkaView.ts';
import { rootLogger } from '../../src/common/log.ts';
import { amqpUrl, eventually, kafkaBrokers, requireBrokers, uniqueName } from '../support/brokers.ts';
import { captureExchange } from '../support/exchangeCapture.ts';
import { ADMIN_TOKEN, toNotifyEvent, type NotifyEvent } from './stack.ts';
import { testCommitMode } from '../support/commitMode.ts';

export { ADMIN_TOKEN };

export interface Cluster {
  appId: string;
  sim: DfoSimulator;
  instances: RunningService[];
  configs: Config[];
  /** Every notify event published on the out exchange, in arrival order. */
  events: NotifyEvent[];
  /** An admin API call on instance `i` with the admin token; NDJSON answers come back as lines. */
  admin(i: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  scim(path: string): Promise<{ status: number; body: any }>;
  quiesce(): Promise<void>;
  readTopic(topic: string): Promise<Array<{ key: string; value: any; headers: Record<string, string> }>>;
  close(): Promise<void>;
}

export async function startCluster(opts: { start: string; instances?: number; partitions: number; env?: Record<string, string> }): Promise<Cluster> {
  await requireBrokers();
  const appId = uniqueName('cl');
  const exIn = `${appId}.ex_from_dfo`;
  const exOut = `${appId}.ex_from_iga`;
  const now = Date.parse(opts.start);
  const stateDirs: string[] = [];
  const sim = await startDfoSimulator({ amqp: { url: amqpUrl, exchange: exIn }, today: () => osloDate(new Date(now)) });
  const policy = makePolicy({});
  const capture = await captureExchange<NotifyEvent>(exOut, toNotifyEvent);
  const events = capture.items;
  const configs: Config[] = [];
  const instances: RunningService[] = [];
  for (let i = 0; i < (opts.instances ?? 2); i++) {
    const stateDir = await mkdtemp(join(tmpdir(), `iga-cluster-${i}-`));
    stateDirs.push(stateDir);
    const config = loadConfig({
      IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: amqpUrl, IGA_AMQP_EXCHANGE_IN: exIn, IGA_AMQP_EXCHANGE_OUT: exOut,
      IGA_DFO_API_URL: sim.url, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1', IGA_SCIM_TOKENS: 'tests:e2e-secret', IGA_ADMIN_TOKENS: `ops:${ADMIN_TOKEN}`,
      IGA_SCIM_RESOURCE_URI_PREFIX: 'https://gw-uib.intark.uh-it.no/iga/scim/v2', IGA_EMAIL_DOMAIN: 'uib.no', IGA_INSTITUTION: 'uib',
      IGA_APP_ID: appId, IGA_STATE_DIR: stateDir, IGA_PARTITIONS: String(opts.partitions), IGA_COMMIT_INTERVAL_MS: '50',
      IGA_PUNCTUATE_INTERVAL_MS: '200', IGA_DFO_PARK_RETRY_MS: '500',
      IGA_PROCESSING_GUARANTEE: testCommitMode(),
      ...opts.env,
    });
    configs.push(config);
    const service = await startService({ config, policy, clock: () => now, instanceId: `node-${i + 1}`, log: rootLogger });
    instances.push(service);
    await service.ready;
  }
  // Every instance owns tasks (the group settled after the last join) and they are restored.
  await eventually('every instance to own tasks', () => instances.every((s) => s.streams.taskIds().length > 0), 60_000, 200);
  await Promise.all(instances.map((s) => s.streams.allTasksReady()));

  const view = await kafkaView(`${appId}-quiesce`);
  const topics = topicNames(appId);

  const cluster: Cluster = {
    appId, sim, instances, configs, events,
    async admin(i, method, path, body) {
      const res = await fetch(`${instances[i]!.adminUrl}/admin${path}`, {
        method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const ndjson = (res.headers.get('content-type') ?? '').includes('ndjson');
      return { status: res.status, body: ndjson ? text.trim().split('\n').map((l) => JSON.parse(l)) : JSON.parse(text) };
    },
    async scim(path) {
      const res = await fetch(`${instances[0]!.scimUrl}${path}`, { headers: { authorization: 'Bearer e2e-secret', accept: 'application/scim+json' } });
      return { status: res.status, body: await res.json() };
    },
    async quiesce() {
      await view.quiesce([{ groupId: appId, topics: igaInputTopics(appId) }, { groupId: `${appId}.egress`, topics: [topics.notify] }], 90_000, 150);
      await eventually('every account replica to catch up', async () => {
        const latest = new Map((await cluster.readTopic(topics.accounts)).map((a) => [a.key, a.value]));
        return instances.every((s) => [...latest.values()].every((a) => s.index.get(a.id)?.version === a.version));
      }, 30_000, 100);
    },
    readTopic: (topic) => view.readTopic(topic),
    async close() {
      for (const s of [...instances].reverse()) await s.close().catch(() => undefined);
      await capture.close();
      await view.close();
      await sim.close();
      await deleteTopicsWithPrefix(appId);
      for (const d of stateDirs) await rm(d, { recursive: true, force: true });
    },
  };
  return cluster;
}
