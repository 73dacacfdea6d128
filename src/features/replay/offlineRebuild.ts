/**
 * Offline rebuild: wipes the local task state of a stopped instance (`<stateDir>/<appId>/<task>/`:
 * RocksDB stores and checkpoints), so its next start restores every store from the changelogs.
 * The read-only replicas behind explain (`replicas/`) are left alone. Refuses, and deletes
 * nothing, while any store is locked by a running process.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RocksBytesStore } from '../../stores/rocksBytesStore.ts';

/** Task folders are named `<sub-topology>_<partition>`. */
const TASK_DIR = /^\d+_\d+$/;

export interface OfflineWipe { dir: string; tasks: string[]; stores: number }

export async function wipeLocalTaskState(stateDir: string, appId: string, onTask?: (task: string, i: number, of: number) => void): Promise<OfflineWipe> {
  const root = join(stateDir, appId);
  const tasks = (await readdir(root, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && TASK_DIR.test(e.name)).map((e) => e.name).sort();
  // First prove that no running instance holds any of these stores (RocksDB's LOCK), then delete.
  let stores = 0;
  for (const task of tasks) {
    for (const e of await readdir(join(root, task), { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const store = await RocksBytesStore.open(e.name, join(root, task, e.name)).catch((err: Error & { cause?: { code?: string } }) => {
        // RocksDB reports a held LOCK as "Database is not open" with cause LEVEL_LOCKED.
        const why = err.cause?.code === 'LEVEL_LOCKED' ? 'locked by a running instance' : `cannot be opened: ${err.message.split('\n')[0]}`;
        throw new Error(`store ${task}/${e.name} in ${root} is ${why}: stop the instance first, or rebuild it online with 'iga-stream rebuild'`);
      });
      await store.close();
      stores++;
    }
  }
  for (const [i, task] of tasks.entries()) {
    await RocksBytesStore.destroy(join(root, task));
    onTask?.(task, i + 1, tasks.length);
  }
  return { dir: root, tasks, stores };
}
