/**
 * The stream parts: the state folder's group memberships, the IGA topology running on the stream
 * runtime, and the account replica every instance keeps for SCIM.
 */
import { createDfoSource, type DfoDatasource } from '../../../connectors/dfo/index.ts';
import type { Account } from '../../iga/model.ts';
import { parseJsonValue } from '../../common/wireFormat.ts';
import { openMemberRegistry, type MemberRegistry } from '../../runtime/kafka/memberRegistry.ts';
import { GlobalTable, StreamsApp } from '../../runtime/index.ts';
import { AccountIndex } from '../../scim/index.ts';
import { configureRocksMemory } from '../../stores/rocksMemoryBudget.ts';
import { buildIgaTopology } from '../../topology/topology.ts';
import type { Part, PartContext } from './part.ts';
import type { TopicSerdes } from './schemaRegistry.ts';

/**
 * RocksDB stores outside the tasks' with every feature on: the replicas of explain (3), changes
 * (up to 5), brake, matches and reconcile, and the group-member registry.
 */
const REPLICA_STORES = 12;

/** The DFØ REST client configured by IGA_DFO_*. */
export function dfoSource(ctx: PartContext): DfoDatasource {
  const { dfo } = ctx.cfg;
  return createDfoSource({
    baseUrl: dfo.baseUrl, apiKey: dfo.apiKey, authHeader: dfo.authHeader, employeePath: dfo.employeePath,
    positionPath: dfo.positionPath, timeoutMs: dfo.timeoutMs, retry: { attempts: dfo.retryAttempts, baseDelayMs: 200, maxDelayMs: 5000 },
  }, { ignoreTestNins: ctx.policy.ignoreTestNins });
}

/**
 * The state folder's group member ids (stream runtime and egress): a restart after a crash rejoins
 * both groups at once instead of waiting for the dead member's session. Started first, closed last.
 */
export async function membershipPart(ctx: PartContext): Promise<Part & { members: MemberRegistry }> {
  const members = await openMemberRegistry({ stateDir: ctx.cfg.stateDir, appId: ctx.cfg.appId, log: ctx.logOf('membership') });
  return { name: 'membership', members, close: () => members.close() };
}

/** `serdes`: the schema registry's wire-format serdes of the topics relying parties read (none: plain JSON). */
export async function streamsPart(ctx: PartContext, deps: { dfo: DfoDatasource; members: MemberRegistry; serdes?: TopicSerdes }): Promise<Part & { streams: StreamsApp }> {
  const { cfg } = ctx;
  const topology = buildIgaTopology({
    appId: cfg.appId, dfo: deps.dfo, policy: ctx.policy, emailDomain: cfg.emailDomain, resourceUriPrefix: cfg.scim.resourceUriPrefix,
    punctuateIntervalMs: cfg.punctuateIntervalMs, parkRetryMs: cfg.dfo.parkRetryMs, brake: cfg.brake, publishers: cfg.publish.publishers,
    ...(cfg.publish.ninHashKey ? { ninHashKey: cfg.publish.ninHashKey } : {}),
  });
  // The RocksDB budget split as if this instance held every task (one instance alone does), plus the replicas.
  const taskStores = topology.subTopologies.reduce((n, s) => n + s.stores.length, 0) * cfg.partitions;
  const sizes = configureRocksMemory(cfg.storeMemoryBytes, taskStores + REPLICA_STORES);
  ctx.logOf('streams').info({ budgetMiB: cfg.storeMemoryBytes / 2 ** 20, stores: taskStores + REPLICA_STORES, ...sizes }, 'RocksDB memory budget per store');
  const streams = new StreamsApp({
    appId: cfg.appId, brokers: cfg.kafkaBrokers, topology, stateDir: cfg.stateDir, partitions: cfg.partitions,
    deadLetterTopic: ctx.topics.dlq, commitIntervalMs: cfg.commitIntervalMs, clock: ctx.clock, instanceId: ctx.instanceId, log: ctx.base,
    sessionTimeoutMs: cfg.kafkaSessionTimeoutMs, processingGuarantee: cfg.processingGuarantee, members: deps.members,
    ...(deps.serdes && deps.serdes.size > 0 ? { valueSerdes: deps.serdes } : {}),
  });
  await streams.start();
  return { name: 'streams', streams, close: () => streams.close(), ready: () => streams.state === 'running' };
}

/** Every account, from the compacted accounts topic, in the index SCIM and explain answer from. */
export async function accountReplicaPart(ctx: PartContext): Promise<Part & { index: AccountIndex; isReady(): boolean; caughtUp: Promise<void> }> {
  const index = new AccountIndex();
  const log = ctx.logOf('account-replica');
  const accounts = new GlobalTable({
    brokers: ctx.cfg.kafkaBrokers, topic: ctx.topics.accounts, clientId: `${ctx.cfg.appId}-accounts-replica`, log,
    onRecord: (key, value) => (value === null ? index.remove(key) : index.upsert(parseJsonValue(value) as Account)),
  });
  await accounts.start();
  let caught = false;
  const caughtUp = accounts.ready.then(() => {
    caught = true;
    log.info({ accounts: index.size }, 'account replica caught up');
  });
  return {
    name: 'accountReplica', index, caughtUp, isReady: () => caught,
    close: () => accounts.close(), ready: () => caught, replica: { name: 'accounts', state: () => ({ ready: caught, records: index.size }) },
  };
}
