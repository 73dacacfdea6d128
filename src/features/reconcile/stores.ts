/**
 * Read-only local replicas of the `positions` and `persons` stores (from their changelog topics),
 * so any instance can compare the stores with DFØ without routing to the tasks that own them and
 * without ever writing them. The `persons` replica is explain's (src/features/explain/replicas.ts),
 * so the changelog is followed once; `positions` is kept under
 * `IGA_STATE_DIR/<app>/replicas/reconcile-positions`.
 */
import { join } from 'node:path';
import type { Logger } from '../../common/log.ts';
import type { ReadOnlyKeyValueStore } from '../../stores/keyValueStore.ts';
import { ReplicaStore, changelogTopic } from '../../runtime/index.ts';
import { STORE, type PersonState, type StoredPosition } from '../../topology/contracts/stores.ts';

export interface ReconcileStores {
  positions: ReadOnlyKeyValueStore<StoredPosition>;
  persons: ReadOnlyKeyValueStore<PersonState>;
  isReady(): boolean;
  ready: Promise<void>;
  /** Records not yet read, as of the last fetch. */
  lag(): number;
  close(): Promise<void>;
}

/** What the reconciler needs of a replica it does not own: is it caught up. */
export interface ReplicaProgress { isReady(): boolean; ready: Promise<void>; lag(): number }

export async function startReconcileStores(opts: {
  brokers: string[]; appId: string; stateDir: string; log: Logger;
  /** The `persons` replica another part already follows (explain's); closed by its owner. */
  persons: { view: ReadOnlyKeyValueStore<PersonState>; replica: ReplicaProgress };
}): Promise<ReconcileStores> {
  const positions = new ReplicaStore({
    name: 'reconcile-positions', topic: changelogTopic(opts.appId, STORE.positions), brokers: opts.brokers,
    dir: join(opts.stateDir, opts.appId, 'replicas', 'reconcile-positions'), clientId: `${opts.appId}-reconcile-positions-replica`, log: opts.log,
  });
  await positions.start();
  const both: ReplicaProgress[] = [positions, opts.persons.replica];
  return {
    positions: positions.view<StoredPosition>(),
    persons: opts.persons.view,
    isReady: () => both.every((r) => r.isReady()),
    ready: Promise.all(both.map((r) => r.ready)).then(() => undefined),
    lag: () => both.reduce((n, r) => n + r.lag(), 0),
    async close() {
      await positions.close().catch((err) => opts.log.warn({ err: String(err) }, 'closing a reconcile replica failed'));
    },
  };
}
