/**
 * What the admin API needs of the mass-change brake: a read-only local replica of the brake
 * store's changelog (so any instance can list the held groups) and a producer of control records
 * (release/discard) on the brake topic. Control records go to every partition of the brake topic,
 * so the one brake task that holds the groups sees them whatever partitioner put them there.
 */
import { join } from 'node:path';
import { CONNECTOR_RETRY, createKafka } from '../../runtime/kafka/client.ts';
import { controlRecordSender } from '../../runtime/kafka/controlRecords.ts';
import type { Logger } from '../../common/log.ts';
import { ReplicaStore, changelogTopic } from '../../runtime/index.ts';
import { topicNames } from '../../topology/contracts/topics.ts';
import { BRAKE_KEY, type BrakeControl } from '../../topology/contracts/brake.ts';
import { STORE, type BrakeGroup, type BrakeMember } from '../../topology/contracts/stores.ts';
import { BrakeStoreReader } from '../../topology/contracts/brakeStore.ts';

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
    name: 'brake', topic: changelogTopic(opts.appId, STORE.brake), brokers: opts.brokers,
    dir: join(opts.stateDir, opts.appId, 'replicas', 'brake'), clientId: `${opts.appId}-brake-replica`, log: opts.log,
  });
  await replica.start();
  const kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-brake-control`, retry: CONNECTOR_RETRY, log: opts.log });
  const control = controlRecordSender(kafka, topicNames(opts.appId).brake);
  const store = new BrakeStoreReader(replica.view<unknown>());

  async function withMembers(g: BrakeGroup): Promise<BrakeGroupView> {
    const members = (await store.members(g.id)).map((m) => ({ employeeId: m.employeeId, accountId: m.accountId, userName: m.userName }));
    return { ...g, members };
  }

  return {
    async groups() {
      const out: BrakeGroupView[] = [];
      for (const g of await store.groups()) out.push(await withMembers(g));
      return out.sort((a, b) => Number(a.id) - Number(b.id));
    },
    async group(id) {
      const g = await store.group(id);
      return g ? withMembers(g) : undefined;
    },
    activeAccounts: () => store.activeAccounts(),
    approvedSince: (sinceMs) => store.approvedSince(sinceMs),
    async send(type, group, by) {
      const value: BrakeControl = { type, group, by, at: new Date(opts.clock()).toISOString() };
      await control.send(BRAKE_KEY, value);
    },
    isReady: () => replica.isReady(),
    lag: () => replica.lag(),
    async close() {
      await control.close();
      await replica.close();
    },
  };
}
