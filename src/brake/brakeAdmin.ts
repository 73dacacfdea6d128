/**
 * What the admin API needs of the mass-change brake: a read-only local replica of the brake
 * store's changelog (so any instance can list the held groups) and a producer of control records
 * (release/discard) on the brake topic. Control records go to every partition of the brake topic,
 * so the one brake task that holds the groups sees them whatever partitioner put them there.
 */
import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { createKafka } from '../../connectors/rabbitmq/kafkaClient.ts';
import type { Logger } from '../log.ts';
import { prefixRange, type ReadOnlyKeyValueStore } from '../stores/keyValueStore.ts';
import { ReplicaStore, changelogTopic } from '../streams/index.ts';
import { BRAKE_KEY, brakeKeys, brakeTopic, type AccountCensus, type BrakeControl, type BrakeGroup, type BrakeMember } from '../topology/brakeMessages.ts';
import { BRAKE_STORES } from '../topology/processors/brakeProcessor.ts';

export interface BrakeGroupView extends BrakeGroup {
  members: Array<Pick<BrakeMember, 'employeeId' | 'accountId' | 'userName'>>;
}

export interface BrakeAdmin {
  /** Every group the brake holds or is still collecting, oldest first. */
  groups(): Promise<BrakeGroupView[]>;
  group(id: string): Promise<BrakeGroupView | undefined>;
  /** Active accounts after the latest census of every account task (null before any). */
  activeAccounts(): Promise<number | null>;
  /** Blocks approved automatically since `sinceMs`. */
  approvedSince(sinceMs: number): Promise<number>;
  /** Writes a release or discard for `group`. */
  send(type: BrakeControl['type'], group: string, by: string): Promise<void>;
  isReady(): boolean;
  lag(): number;
  close(): Promise<void>;
}

export async function startBrakeAdmin(opts: { brokers: string[]; appId: string; stateDir: string; log: Logger; clock: () => number }): Promise<BrakeAdmin> {
  const replica = new ReplicaStore({
    name: 'brake', topic: changelogTopic(opts.appId, BRAKE_STORES[0]), brokers: opts.brokers,
    dir: join(opts.stateDir, opts.appId, 'replicas', 'brake'), clientId: `${opts.appId}-brake-replica`, log: opts.log,
  });
  await replica.start();
  const kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-brake-control` }, opts.log);
  let producer: Producer | null = null;
  const topic = brakeTopic(opts.appId);
  const store: ReadOnlyKeyValueStore<unknown> = replica.view<unknown>();

  async function withMembers(g: BrakeGroup): Promise<BrakeGroupView> {
    const members: BrakeGroupView['members'] = [];
    for await (const [, v] of store.range(prefixRange(brakeKeys.memberPrefix(g.id)))) {
      const m = v as BrakeMember;
      members.push({ employeeId: m.employeeId, accountId: m.accountId, userName: m.userName });
    }
    return { ...g, members };
  }

  return {
    async groups() {
      const out: BrakeGroupView[] = [];
      for await (const [, v] of store.range(prefixRange('group:'))) out.push(await withMembers(v as BrakeGroup));
      return out.sort((a, b) => Number(a.id) - Number(b.id));
    },
    async group(id) {
      const g = (await store.get(brakeKeys.group(id))) as BrakeGroup | undefined;
      return g ? withMembers(g) : undefined;
    },
    async activeAccounts() {
      let n: number | null = null;
      for await (const [, v] of store.range(prefixRange('census:'))) n = (n ?? 0) + (v as AccountCensus).active;
      return n;
    },
    async approvedSince(sinceMs) {
      let n = 0;
      for await (const [, v] of store.range({ gte: brakeKeys.approved(sinceMs, ''), lt: 'approved:\uffff' })) n += Number(v);
      return n;
    },
    async send(type, group, by) {
      if (!producer) {
        const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
        await p.connect();
        producer = p;
      }
      const admin = kafka.admin();
      await admin.connect();
      let partitions: number[];
      try {
        partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => p.partitionId);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      const value: BrakeControl = { type, group, by, at: new Date(opts.clock()).toISOString() };
      await producer.send({ topic, acks: -1, messages: partitions.map((partition) => ({ key: BRAKE_KEY, value: JSON.stringify(value), partition })) });
    },
    isReady: () => replica.isReady(),
    lag: () => replica.lag(),
    async close() {
      await producer?.disconnect().catch(() => undefined);
      await replica.close();
    },
  };
}
