/**
 * Exactly-once v2's pipelined commit (StreamTask.startCommit): the task processes on while its
 * commit is in flight, and what it processes meanwhile goes in the next commit, never in the one in
 * flight; reads see the commit in flight; one commit is in flight at a time; a failed one leaves the
 * task refusing every later commit until it is closed, and the close's rollback drops both the
 * failed commit and what was processed meanwhile. The committer is the task's port, played here by a
 * transaction the test settles by hand (the real ones are tested against the broker).
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { StreamTask, type CommitBatch, type TaskCommitter } from '../../src/runtime/internals/task.ts';
import { BufferedStore } from '../../src/stores/bufferedStore.ts';
import { MemoryBytesStore } from '../../src/stores/memoryBytesStore.ts';
import { countingTopology } from './counting.ts';

/** A committer whose transactions stay open until the test commits or fails them. */
function heldCommitter() {
  const open: Array<{ batch: CommitBatch; settle: (err?: Error) => void }> = [];
  const committer: TaskCommitter = {
    commit: (batch) => new Promise<Map<string, bigint>>((resolve, reject) => {
      open.push({ batch, settle: (err) => (err ? reject(err) : resolve(new Map([['app-counts-changelog', 1n]]))) });
    }),
    abort: async () => undefined,
  };
  return { committer, open };
}

async function countingTask(committer: TaskCommitter) {
  const topology = countingTopology('in', 'out');
  const sub = topology.subTopologies[0]!;
  const counts = new BufferedStore<unknown>(new MemoryBytesStore('counts'));
  const task = new StreamTask({
    taskId: '0_0', partition: 0, sub, stores: new Map([['counts', counts]]), committer, clock: Date.now,
    deadLetterTopic: 'app.dlq', changelogTopicOf: (s) => `app-${s}-changelog`, log: pino({ level: 'silent' }),
  });
  await task.init();
  let offset = 0;
  const process = (key: string) => task.process('in', { key, value: {}, timestamp: 0, headers: {}, offset: String(offset++) }, null);
  return { task, counts, process };
}

const outputsOf = (b: CommitBatch, topic: string) => b.outputs.filter((o) => o.topic === topic).map((o) => `${o.key}=${o.value?.toString()}`);
const tick = () => new Promise((r) => setImmediate(r));

describe('pipelined commit', () => {
  test('the task processes on while its commit is in flight; that work goes in the next commit', async () => {
    const { committer, open } = heldCommitter();
    const { task, counts, process } = await countingTask(committer);
    await process('k');
    await process('k');
    const first = task.startCommit();
    assert.equal(task.commitInFlight, true);
    assert.throws(() => task.startCommit(), /in flight/, 'one commit in flight at a time');
    // Meanwhile: a read sees the commit in flight (count 2), the new count goes to the buffer.
    await process('k');
    assert.equal(await counts.get('k'), 3);
    assert.deepEqual(outputsOf(open[0]!.batch, 'out'), ['k={"count":1}', 'k={"count":2}']);
    assert.deepEqual(outputsOf(open[0]!.batch, 'app-counts-changelog'), ['k=2']);
    assert.deepEqual(open[0]!.batch.offsets, [{ topic: 'in', partition: 0, offset: '2' }]);
    open[0]!.settle();
    await first;
    assert.equal(task.commitInFlight, false);
    assert.equal(await counts.bytes.get('k').then((b) => b?.toString()), '2', 'the committed count applied to the local store');
    const second = task.startCommit();
    assert.deepEqual(outputsOf(open[1]!.batch, 'out'), ['k={"count":3}']);
    assert.deepEqual(open[1]!.batch.offsets, [{ topic: 'in', partition: 0, offset: '3' }]);
    open[1]!.settle();
    await second;
    assert.equal(await counts.bytes.get('k').then((b) => b?.toString()), '3');
  });

  test('a classic commit waits for the one in flight and then commits the rest', async () => {
    const { committer, open } = heldCommitter();
    const { task, process } = await countingTask(committer);
    await process('a');
    const first = task.startCommit();
    await process('b');
    const classic = task.commit();
    await tick();
    assert.equal(open.length, 1, 'nothing more is sent while the first is in flight');
    open[0]!.settle();
    await first;
    await tick();
    assert.equal(open.length, 2);
    assert.deepEqual(outputsOf(open[1]!.batch, 'out'), ['b={"count":1}']);
    open[1]!.settle();
    await classic;
  });

  test('after a failed commit the task commits nothing more; its rollback drops the failed commit and what was processed meanwhile', async () => {
    const { committer, open } = heldCommitter();
    const { task, counts, process } = await countingTask(committer);
    await process('k');
    const first = task.startCommit();
    await process('k');
    open[0]!.settle(new Error('the group refused the offsets'));
    await assert.rejects(first, /refused/);
    assert.equal(task.hasFailedCommit, true);
    assert.equal(task.commitInFlight, false);
    await assert.rejects(task.commit(), /previous commit failed/);
    await assert.rejects(task.startCommit(), /previous commit failed/);
    assert.equal(open.length, 1, 'nothing more was sent');
    // What the task's close does (TaskManager.close without commit): settle, then roll back.
    await task.settled();
    task.rollback();
    assert.equal(await counts.get('k'), undefined, 'neither the failed commit nor the later count is in the store');
    assert.equal(task.hasPending, false);
  });
});
