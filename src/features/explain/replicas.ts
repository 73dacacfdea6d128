/**
 * The local replicas that let any instance answer explain and upcoming queries without routing
 * them to the task that owns the person: the persons and timers stores (from their changelogs, as
 * they are) and an index over the audit topic, `<employeeId>|<partition>|<offset>` → record, so one
 * person's history is a prefix range in decision order. Plus a reader for the raw events the audit
 * records point at.
 */
import { join } from 'node:path';
import { PERSON_KEY } from '../../topology/contracts/directory.ts';
import { topicNames } from '../../topology/contracts/topics.ts';
import type { Logger } from '../../common/log.ts';
import { parseJsonValue } from '../../common/wireFormat.ts';
import { prefixRange, type ReadOnlyKeyValueStore } from '../../stores/keyValueStore.ts';
import { ReplicaStore, TopicRecordReader, changelogTopic, identityMapping, type ReplicaMapping } from '../../runtime/index.ts';
import { STORE, type PersonState, type TimerEntry } from '../../topology/contracts/stores.ts';

/** Key of one audit record in the index. Offsets are padded so keys sort in offset order. */
export function auditIndexKey(employeeId: string, partition: number, offset: bigint | string): string {
  return `${employeeId}|${partition}|${String(offset).padStart(20, '0')}`;
}

/** Key of one reconciliation run's summary in the index: after every employee key, in end-time order. */
export function reconcileRunIndexKey(endedAt: string, runId: string): string {
  return `${RUN_PREFIX}${endedAt}|${runId}`;
}
const RUN_PREFIX = '~reconcile-run|';

/**
 * The audit topic's key is the person key (employee id, or `p-…`): a person's decisions are indexed by it. Of the records
 * keyed `reconcile:<runId>` only the run summaries are kept (so any instance can say which run was
 * the last, wherever it ran); drift records, and records without a key, are skipped.
 */
export const auditIndex: ReplicaMapping = (r) => {
  if (r.value === null) return [];
  if (PERSON_KEY.test(r.key)) return [[auditIndexKey(r.key, r.partition, r.offset), r.value]];
  if (!r.key.startsWith('reconcile:')) return [];
  try {
    const v = parseJsonValue(r.value) as { type?: unknown; runId?: unknown; endedAt?: unknown };
    if (v.type !== 'reconcile-run' || typeof v.runId !== 'string' || typeof v.endedAt !== 'string') return [];
    return [[reconcileRunIndexKey(v.endedAt, v.runId), r.value]];
  } catch {
    return [];
  }
};

export interface ExplainReplicas {
  persons: ReadOnlyKeyValueStore<PersonState>;
  /** The replica behind `persons`: reconciliation reads the same one (src/features/reconcile/stores.ts). */
  personsReplica: { isReady(): boolean; ready: Promise<void>; lag(): number };
  timers: ReadOnlyKeyValueStore<TimerEntry>;
  audit: ReadOnlyKeyValueStore<unknown>;
  raw: TopicRecordReader;
  /** One person's audit records in decision order (oldest first), with their coordinates. */
  history(employeeId: string): Promise<Array<{ partition: number; offset: string; value: unknown }>>;
  /** The summary of the reconciliation run that ended last, on any instance (from the audit topic). */
  latestReconcileRun(): Promise<unknown>;
  /** True once every replica caught up with the end offsets it saw at start. */
  isReady(): boolean;
  /** Resolves when every replica caught up. */
  ready: Promise<void>;
  /** Records not yet read, summed over the replicas. */
  lag(): number;
  close(): Promise<void>;
}

/** Opens and starts the replicas under `<stateDir>/<appId>/replicas/`. */
export async function startExplainReplicas(opts: { brokers: string[]; appId: string; stateDir: string; log: Logger }): Promise<ExplainReplicas> {
  const dir = join(opts.stateDir, opts.appId, 'replicas');
  const make = (name: string, topic: string, map: ReplicaMapping = identityMapping, version = '1') => new ReplicaStore({
    name, topic, map, version, brokers: opts.brokers, dir: join(dir, name), clientId: `${opts.appId}-${name}-replica`, log: opts.log,
  });
  const replicas = [
    make('persons', changelogTopic(opts.appId, STORE.persons)),
    make('timers', changelogTopic(opts.appId, STORE.timers)),
    // Version 2 added the run summaries: a replica built by version 1 is read again from the start.
    make('audit-index', topicNames(opts.appId).audit, auditIndex, 'by-employee-2'),
  ] as const;
  await ReplicaStore.startAll(replicas);
  const [persons, timers, audit] = replicas;
  const auditView = audit.view<unknown>();
  const raw = new TopicRecordReader({ brokers: opts.brokers, clientId: `${opts.appId}-raw-reader`, log: opts.log });
  return {
    persons: persons.view<PersonState>(),
    personsReplica: persons,
    timers: timers.view<TimerEntry>(),
    audit: auditView,
    raw,
    async history(employeeId) {
      const out: Array<{ partition: number; offset: string; value: unknown }> = [];
      for await (const [k, value] of auditView.range(prefixRange(`${employeeId}|`))) {
        const [, partition, offset] = k.split('|') as [string, string, string];
        out.push({ partition: Number(partition), offset: offset.replace(/^0+(?=\d)/, ''), value });
      }
      return out;
    },
    async latestReconcileRun() {
      // Runs are few (one a day on a schedule): the last of them in key order is the newest.
      let latest: unknown = null;
      for await (const [, v] of auditView.range(prefixRange(RUN_PREFIX))) latest = v;
      return latest;
    },
    isReady: () => replicas.every((r) => r.isReady()),
    ready: Promise.all(replicas.map((r) => r.ready)).then(() => undefined),
    lag: () => replicas.reduce((n, r) => n + r.lag(), 0),
    async close() {
      for (const r of replicas) await r.close().catch((err) => opts.log.warn({ err: String(err) }, 'closing a replica failed'));
      await raw.close().catch(() => undefined);
    },
  };
}
