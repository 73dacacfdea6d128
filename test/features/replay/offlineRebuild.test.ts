import { afterAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wipeLocalTaskState } from '../../../src/features/replay/offlineRebuild.ts';
import { RocksBytesStore } from '../../../src/stores/rocksBytesStore.ts';

describe('rebuild --offline', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  async function stateDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'iga-offline-'));
    dirs.push(dir);
    for (const [task, store] of [['0_0', 'positions'], ['0_0', 'deferred'], ['1_2', 'persons']] as const) {
      const s = await RocksBytesStore.open(store, join(dir, 'app', task, store));
      await s.write([['k', Buffer.from('v')]]);
      await s.close();
      await writeFile(join(dir, 'app', task, '.checkpoint'), '{}');
    }
    const replica = await RocksBytesStore.open('persons', join(dir, 'app', 'replicas', 'persons'));
    await replica.close();
    return dir;
  }

  test('wipes every task folder (stores and checkpoint) and leaves the explain replicas alone', async () => {
    const dir = await stateDir();
    const seen: string[] = [];
    const r = await wipeLocalTaskState(dir, 'app', (task, i, of) => seen.push(`${task} ${i}/${of}`));
    assert.deepEqual(r.tasks, ['0_0', '1_2']);
    assert.equal(r.stores, 3);
    assert.deepEqual(seen, ['0_0 1/2', '1_2 2/2']);
    assert.deepEqual(await readdir(join(dir, 'app')), ['replicas']);
  });

  test('a state dir without task state: nothing to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iga-offline-'));
    dirs.push(dir);
    assert.deepEqual((await wipeLocalTaskState(dir, 'app')).tasks, []);
  });

  test('refuses while a store is open (a running instance) and deletes nothing', async () => {
    const dir = await stateDir();
    const open = await RocksBytesStore.open('persons', join(dir, 'app', '1_2', 'persons'));
    try {
      await assert.rejects(wipeLocalTaskState(dir, 'app'), /store 1_2\/persons .* is locked by a running instance: stop the instance first/);
      assert.deepEqual((await readdir(join(dir, 'app'))).sort(), ['0_0', '1_2', 'replicas']);
      assert.equal((await open.get('k'))?.toString(), 'v');
    } finally {
      await open.close();
    }
  });
});
