/**
 * read_committed filtering of KafkaJS's fetch responses (abortedRecords.ts, readCommittedFix.ts):
 * partitions as the broker answers them, read through KafkaJS's own Batch, which is what every
 * consumer and the partition reader hand their callers. The broker lists aborted transactions in
 * the order they were aborted, each with its first offset (seen on the Kafka 4.1 test broker).
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { abortedRecords, type AbortedTransaction } from '../../../src/runtime/kafka/abortedRecords.ts';
import { hideAbortedRecords } from '../../../src/runtime/kafka/readCommittedFix.ts';

const require = createRequire(import.meta.url);
const Batch = require('kafkajs/src/consumer/batch.js');

interface Rec {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean; firstOffset: string };
}

const data = (offset: number, producerId: string, key: string, inTransaction = true): Rec => ({
  offset: String(offset), key: Buffer.from(key), value: Buffer.from('v'), isControlRecord: false,
  batchContext: { producerId, inTransaction, firstOffset: String(offset) },
});
const marker = (offset: number, producerId: string, type: 'abort' | 'commit'): Rec => ({
  offset: String(offset), key: Buffer.from([0, 0, 0, type === 'abort' ? 0 : 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]), isControlRecord: true,
  batchContext: { producerId, inTransaction: true, firstOffset: String(offset) },
});

/** The keys KafkaJS's Batch gives its reader for one fetch from `fetchOffset`, after the fix. */
function read(fetchOffset: number, messages: Rec[], abortedTransactions: AbortedTransaction[]): string[] {
  const partition = { partition: 0, highWatermark: String(messages.length), messages: messages.map((m) => ({ ...m })), abortedTransactions };
  hideAbortedRecords(partition);
  return new Batch('t', String(fetchOffset), partition).messages.map((m: Rec) => m.key!.toString());
}

describe('aborted transactions as the broker lists them', () => {
  test('a transaction that started first but aborted second is still aborted', () => {
    // @0 p2 starts, @1 p1 starts, p1 aborts (@2), then p2 (@3); a committed record follows.
    const log = [data(0, 'p2', 'aborted-p2'), data(1, 'p1', 'aborted-p1'), marker(2, 'p1', 'abort'), marker(3, 'p2', 'abort'), data(4, 'p3', 'committed'), marker(5, 'p3', 'commit')];
    const aborted = [{ producerId: 'p1', firstOffset: '1' }, { producerId: 'p2', firstOffset: '0' }];
    assert.deepEqual(abortedRecords(log, aborted).map((r) => r.offset), ['0', '1']);
    assert.deepEqual(read(0, log, aborted), ['committed']);
  });

  test('a fetch that begins inside two aborted transactions drops the records of both', () => {
    // @0 p1 starts, @1 and @2 p2; both abort. A fetch cut after @0 goes on from @1, then @2.
    const log = [data(0, 'p1', 'aborted-p1'), data(1, 'p2', 'aborted-p2a'), data(2, 'p2', 'aborted-p2b'), marker(3, 'p1', 'abort'), marker(4, 'p2', 'abort'), data(5, 'p3', 'committed'), marker(6, 'p3', 'commit')];
    const aborted = [{ producerId: 'p1', firstOffset: '0' }, { producerId: 'p2', firstOffset: '1' }];
    assert.deepEqual(read(1, log.slice(1, 2), aborted), []);
    assert.deepEqual(read(2, log.slice(2, 3), aborted), []);
    assert.deepEqual(read(2, log.slice(2), aborted), ['committed']);
  });

  test('records of a producer before its aborted transaction and after its abort marker are kept', () => {
    const log = [data(0, 'p1', 'first'), marker(1, 'p1', 'commit'), data(2, 'p1', 'aborted'), marker(3, 'p1', 'abort'), data(4, 'p1', 'again'), marker(5, 'p1', 'commit'), data(6, '-1', 'plain', false)];
    assert.deepEqual(read(0, log, [{ producerId: 'p1', firstOffset: '2' }]), ['first', 'again', 'plain']);
  });

  test('aborted records still move the reader past them: the batch\'s last offset is the last record fetched', () => {
    const log = [data(0, 'p1', 'a'), data(1, 'p1', 'b')];
    const partition = { partition: 0, highWatermark: '10', messages: log, abortedTransactions: [{ producerId: 'p1', firstOffset: '0' }] };
    hideAbortedRecords(partition);
    const batch = new Batch('t', '0', partition);
    assert.equal(batch.isEmpty(), true);
    assert.equal(batch.lastOffset(), '1');
  });

  test('read_uncommitted answers (no aborted list) are left alone', () => {
    const log = [data(0, 'p1', 'a'), marker(1, 'p1', 'abort')];
    assert.deepEqual(read(0, log, []), ['a']);
    assert.deepEqual(abortedRecords(log, null), []);
  });
});

/**
 * Any interleaving of transactions of three producers (and non-transactional writes), each
 * transaction committed or aborted, read in fetches of any size from any offset: the reader gets
 * exactly the committed and non-transactional records of the fetched range, in order.
 */
test('any log, any fetch: exactly the committed records reach the reader', () => {
  type Step = { producer: 0 | 1 | 2 | 3; end: 'none' | 'commit' | 'abort'; records: number };
  const step = fc.record({ producer: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>, end: fc.constantFrom('none', 'commit', 'abort') as fc.Arbitrary<Step['end']>, records: fc.integer({ min: 1, max: 3 }) });
  fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.nat(), fc.nat(), (steps, startSeed, lengthSeed) => {
    const log: Rec[] = [];
    const committed = new Set<string>();
    const aborted: Array<AbortedTransaction & { lastOffset: number }> = [];
    const open = new Map<string, { first: number; keys: string[] }>();
    const end = (pid: string, how: 'commit' | 'abort') => {
      const txn = open.get(pid)!;
      open.delete(pid);
      if (how === 'abort') aborted.push({ producerId: pid, firstOffset: String(txn.first), lastOffset: log.length });
      else for (const k of txn.keys) committed.add(k);
      log.push(marker(log.length, pid, how));
    };
    for (const s of steps) {
      if (s.producer === 3) { // non-transactional: one batch, never aborted
        const first = log.length;
        for (let i = 0; i < s.records; i++) { const k = `plain@${log.length}`; committed.add(k); log.push({ ...data(log.length, '-1', k, false), batchContext: { producerId: '-1', inTransaction: false, firstOffset: String(first) } }); }
        continue;
      }
      const pid = `p${s.producer}`;
      if (s.end !== 'none' && open.has(pid)) { end(pid, s.end); continue; }
      const txn = open.get(pid) ?? { first: log.length, keys: [] };
      open.set(pid, txn);
      const first = log.length;
      for (let i = 0; i < s.records; i++) {
        const k = `${pid}@${log.length}`;
        txn.keys.push(k);
        log.push({ ...data(log.length, pid, k), batchContext: { producerId: pid, inTransaction: true, firstOffset: String(first) } });
      }
    }
    for (const pid of [...open.keys()]) end(pid, 'abort');
    // A fetch from `start` returns whole record batches up to a byte limit: here, up to `upper`.
    const start = startSeed % log.length;
    const upper = start + 1 + (lengthSeed % (log.length - start));
    const batchStart = Number(log[start]!.batchContext.firstOffset);
    const fetched = log.slice(batchStart, upper);
    // What the broker lists: aborted transactions overlapping the range, in the order they aborted.
    const list = aborted.filter((t) => t.lastOffset >= start && Number(t.firstOffset) < upper).map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
    const expected = log.slice(start, upper).filter((r) => !r.isControlRecord && committed.has(r.key!.toString())).map((r) => r.key!.toString());
    assert.deepEqual(read(start, fetched, list), expected);
  }), { numRuns: 2000 });
});
