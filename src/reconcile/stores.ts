/**
 * Read-only local replicas of the `positions` and `persons` stores (from their changelog topics),
 * so any instance can compare the stores with DFØ without routing to the tasks that own them and
 * without ever writing them. Kept under `IGA_STATE_DIR/<app>/replicas/reconcile-*`.
 */
import { join } from 'node:path';
import type { Holder } from '../iga/model.ts';
import type { Logger } from '../log.ts';
import type { ReadOnlyKeyValueStore } from '../stores/keyValueStore.ts';
import { ReplicaStore, changelogTopic } from '../streams/index.ts';
import type { PersonState } from '../topology/processors/personProcessor.ts';

export interface ReconcileStores {
  positions: ReadOnlyKeyValueStore<{ holders: Holder[] }>;
  persons: ReadOnlyKeyValueStore<PersonState>;
  isReady(): boolean;
  ready: Promise<void>;
  /** Records not yet read, as of the last fetch. */
  lag(): number;
  close(): Promise<void>;
}

export async function startReconcileStores(opts: { brokers: string[]; appId: string; stateDir: string; log: Logger }): Promise<ReconcileStores> {
  const dir = join(opts.stateDir, opts.appId, 'replicas');
  const make = (store: string) => new ReplicaStore({
    name: `reconcile-${store}`, topic: changelogTopic(opts.appId, store), brokers: opts.brokers,
    dir: join(dir, `reconcile-${store}`), clientId: `${opts.appId}-reconcile-${store}-replica`, log: opts.log,
  });
  const positions = make('positions');
  const persons = make('persons');
  await positions.start();
  try {
    await persons.start();
  } catch (err) {
    await positions.close().catch(() => undefined);
    throw err;
  }
  const both = [positions, persons];
  return {
    positions: positions.view<{ holders: Holder[] }>(),
    persons: persons.view<PersonState>(),
    isReady: () => both.every((r) => r.isReady()),
    ready: Promise.all(both.map((r) => r.ready)).then(() => undefined),
    lag: () => both.reduce((n, r) => n + r.lag(), 0),
    async close() {
      for (const r of both) await r.close().catch((err) => opts.log.warn({ err: String(err) }, 'closing a reconcile replica failed'));
    },
  };
}
