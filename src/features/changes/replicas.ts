/**
 * The local indexes behind the publisher's view (indexes.ts), kept in RocksDB under
 * `<stateDir>/<app>/replicas/changes-*` like explain's, so any instance answers any question. A
 * restart reads only what was written since.
 */
import { join } from 'node:path';
import type { Logger } from '../../common/log.ts';
import { ReplicaStore, type ReplicaMapping } from '../../runtime/index.ts';
import { prefixRange, type ReadOnlyKeyValueStore } from '../../stores/keyValueStore.ts';
import type { ChangeStatus, MatchingTag, ValidationTag } from '../../topology/contracts/changeStatus.ts';
import { topicNames } from '../../topology/contracts/topics.ts';
import { auditIndex, dlqIndex, matchingKey, msgKey, profilesIndex, rawIndex, tagsIndex, validationKey, type AcceptedMessage, type DecisionSummary, type RejectedMessage } from './indexes.ts';

export interface ChangesIndex {
  /** Every destination's tag of one change. */
  tags(changeId: string): Promise<ChangeStatus[]>;
  /** Every tag, in key order (the drivers' operator view). */
  allTags(): AsyncIterable<ChangeStatus>;
  /** The decision that made a change, or undefined. */
  decisionOf(changeId: string): Promise<DecisionSummary | undefined>;
  /** What became of one message: where it was accepted or why it was rejected, its decisions, and the changes tagged under it. */
  message(messageId: string): Promise<{ accepted: AcceptedMessage[]; rejected: RejectedMessage[]; decisions: DecisionSummary[]; taggedChanges: Array<{ changeId: string; accountId: string; version: number }>; validation: ValidationTag | null; matching: MatchingTag | null }>;
  isReady(): boolean;
  ready: Promise<void>;
  lag(): number;
  close(): Promise<void>;
}

async function collect<V>(store: ReadOnlyKeyValueStore<V>, prefix: string): Promise<V[]> {
  const out: V[] = [];
  for await (const [, v] of store.range(prefixRange(prefix))) out.push(v);
  return out;
}

/** `profiles`: also index the raw profile topic (a deployment with publishers, where that topic exists). */
export async function startChangesIndex(opts: { brokers: string[]; appId: string; stateDir: string; log: Logger; profiles?: boolean }): Promise<ChangesIndex> {
  const topics = topicNames(opts.appId);
  const dir = join(opts.stateDir, opts.appId, 'replicas');
  const make = (name: string, topic: string, map: ReplicaMapping) => new ReplicaStore({
    name, topic, map, version: '1', brokers: opts.brokers, dir: join(dir, name), clientId: `${opts.appId}-${name}-replica`, log: opts.log,
  });
  const make2 = (name: string, topic: string, map: ReplicaMapping) => new ReplicaStore({
    name, topic, map, version: '2', brokers: opts.brokers, dir: join(dir, name), clientId: `${opts.appId}-${name}-replica`, log: opts.log,
  });
  // Version 2 of the tags and dead-letter indexes: they also index validation tags and the publishers' dead letters;
  // version 3 of the tags index also the person directory's matching tags.
  const replicas = [
    new ReplicaStore({ name: 'changes-tags', topic: topics.changeStatus, map: tagsIndex, version: '3', brokers: opts.brokers, dir: join(dir, 'changes-tags'), clientId: `${opts.appId}-changes-tags-replica`, log: opts.log }),
    make('changes-audit', topics.audit, auditIndex),
    make('changes-raw', topics.raw, rawIndex(topics.raw)),
    make2('changes-dlq', topics.dlq, dlqIndex(topics.dlq)),
    ...(opts.profiles ? [make('changes-profiles', topics.profilesRaw, profilesIndex(topics.profilesRaw))] : []),
  ];
  await ReplicaStore.startAll(replicas);
  const [tags, audit, raw, dlq, profiles] = replicas.map((r) => r.view<any>());
  return {
    tags: (changeId) => collect<ChangeStatus>(tags!, `tag|${changeId}|`),
    async *allTags() {
      for await (const [, v] of tags!.range(prefixRange('tag|'))) yield v as ChangeStatus;
    },
    decisionOf: (changeId) => audit!.get(`change|${changeId}`) as Promise<DecisionSummary | undefined>,
    async message(messageId) {
      const prefix = msgKey(messageId);
      const [accepted, published, rejected, decisions, taggedChanges, validation, matching] = await Promise.all([
        collect<AcceptedMessage>(raw!, prefix), profiles ? collect<AcceptedMessage>(profiles, prefix) : [], collect<RejectedMessage>(dlq!, prefix),
        collect<DecisionSummary>(audit!, prefix), collect<{ changeId: string; accountId: string; version: number }>(tags!, prefix),
        tags!.get(validationKey(messageId)) as Promise<ValidationTag | undefined>,
        tags!.get(matchingKey(messageId)) as Promise<MatchingTag | undefined>,
      ]);
      return { accepted: [...accepted, ...published], rejected, decisions, taggedChanges, validation: validation ?? null, matching: matching ?? null };
    },
    isReady: () => replicas.every((r) => r.isReady()),
    ready: Promise.all(replicas.map((r) => r.ready)).then(() => undefined),
    lag: () => replicas.reduce((n, r) => n + r.lag(), 0),
    async close() {
      for (const r of replicas) await r.close().catch((err) => opts.log.warn({ err: String(err) }, 'closing a replica failed'));
    },
  };
}
