import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConsumeMessage } from 'amqplib';
import { judgeProgress, type ProgressProbe } from '../../connectors/ingress/progress.ts';
import { classifyProduceFailure } from '../../connectors/ingress/kafkaRefusal.ts';
import { SerialBatcher } from '../../connectors/ingress/serialBatcher.ts';
import { recordForDelivery, type IngressRecordOptions } from '../../connectors/ingress/record.ts';
import { DEFAULT_DFO_MESSAGE_LIMITS } from '../../connectors/dfo/notification.ts';
import type { DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('SerialBatcher', () => {
  function recorder(maxBatch = 3, windowMs = 5) {
    const runs: number[][] = [];
    let release: (() => void) | null = null;
    const b = new SerialBatcher<number>({
      maxBatch, windowMs,
      run: async (batch) => { runs.push(batch); if (batch.includes(-1)) await new Promise<void>((r) => (release = r)); },
      onError: () => assert.fail('run threw'),
    });
    return { b, runs, release: () => release?.() };
  }

  test('the wedge of issue 13: a window timer that fires after every waiting item was discarded leaves the batcher able to run', async () => {
    const { b, runs } = recorder();
    b.push(1); // starts the window timer
    b.discard(() => true); // the channel closed: its deliveries will come again
    await tick(20); // the timer fires with nothing to do
    b.push(2);
    b.push(3);
    await tick(20);
    assert.deepEqual(runs, [[2, 3]]);
    assert.equal(b.stuck, false);
    assert.equal(b.size, 0);
  });
  test('a full batch runs at once; what arrives meanwhile runs next, in order', async () => {
    const { b, runs, release } = recorder(2);
    b.push(-1);
    b.push(1); // full: runs now and blocks
    await tick();
    b.push(2);
    b.push(3);
    b.push(4);
    assert.equal(b.size, 5);
    release();
    await b.flush();
    assert.deepEqual(runs, [[-1, 1], [2, 3], [4]]);
  });
  test('a run that throws is reported and the batcher goes on', async () => {
    const errors: unknown[] = [];
    const runs: number[][] = [];
    const b = new SerialBatcher<number>({ maxBatch: 1, windowMs: 1, run: async (x) => { runs.push(x); if (x[0] === 1) throw new Error('boom'); }, onError: (e) => errors.push(e) });
    b.push(1);
    b.push(2);
    await b.flush();
    await tick(5);
    assert.deepEqual(runs, [[1], [2]]);
    assert.equal(errors.length, 1);
  });
  test('property: any interleaving of pushes, discards and waits runs every kept item exactly once, in order, and never gets stuck', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.constant('push' as const), fc.constant('discard' as const), fc.integer({ min: 0, max: 8 })), { maxLength: 40 }), async (steps) => {
      const { b, runs } = recorder(3, 2);
      let next = 0;
      const kept = new Set<number>();
      for (const s of steps) {
        if (s === 'push') { kept.add(next); b.push(next++); }
        else if (s === 'discard') { for (const w of b.waitingItems) kept.delete(w); b.discard(() => true); }
        else await tick(s);
        assert.equal(b.stuck, false);
      }
      await b.flush();
      await tick(5);
      assert.deepEqual(runs.flat(), [...kept].sort((x, y) => x - y));
    }), { numRuns: 60 });
  });
});

describe('judgeProgress', () => {
  const base: ProgressProbe = { now: 100_000, connected: true, held: 0, oldestHeldSince: null, producing: false, stuck: false, lastDeliveryAt: 99_000, queueReady: 0 };
  const judge = (p: Partial<ProgressProbe>) => judgeProgress({ ...base, ...p }, 60_000);
  test('idle and healthy', () => assert.deepEqual(judge({}), { stalled: false }));
  test('disconnected: stalled, no recycle (the reconnect loop runs)', () => {
    assert.deepEqual(judge({ connected: false }), { stalled: true, reason: 'disconnected', recycle: false, detail: 'no AMQP connection; reconnecting' });
  });
  test('deliveries held briefly: fine, whatever else holds', () => {
    for (const producing of [true, false]) assert.deepEqual(judge({ held: 64, oldestHeldSince: 50_000, producing }), { stalled: false });
  });
  test('held with nothing running or scheduled: recycled after 5 s, not the full window', () => {
    assert.deepEqual(judge({ held: 64, oldestHeldSince: 96_000, stuck: true }), { stalled: false });
    const v = judge({ held: 64, oldestHeldSince: 95_000, stuck: true });
    assert.equal(v.stalled && v.reason, 'not-producing');
    assert.equal(v.stalled && v.recycle, true);
  });
  test('held past the window while Kafka does not acknowledge: stalled, no recycle', () => {
    const v = judge({ held: 3, oldestHeldSince: 40_000, producing: true });
    assert.deepEqual(v, { stalled: true, reason: 'kafka-not-acknowledging', recycle: false, detail: 'Kafka has not acknowledged 3 deliveries for 60 s' });
  });
  test('held past the window with no produce running: recycle', () => {
    const v = judge({ held: 3, oldestHeldSince: 40_000, producing: false });
    assert.equal(v.stalled && v.reason, 'not-producing');
    assert.equal(v.stalled && v.recycle, true);
  });
  test('messages ready in the queue but none delivered for the window: recycle', () => {
    assert.deepEqual(judge({ queueReady: 729, lastDeliveryAt: 50_000 }), { stalled: false });
    const v = judge({ queueReady: 729, lastDeliveryAt: 40_000 });
    assert.deepEqual(v, { stalled: true, reason: 'not-receiving', recycle: true, detail: '729 messages ready in the queue, none delivered for 60 s' });
    assert.deepEqual(judge({ queueReady: null, lastDeliveryAt: 0 }), { stalled: false });
  });
});

describe('classifyProduceFailure', () => {
  const kafkaError = (name: string, retriable: boolean, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, retriable, ...extra });
  test('connection trouble, also wrapped in KafkaJS retries-exceeded, is retriable', () => {
    assert.equal(classifyProduceFailure(kafkaError('KafkaJSConnectionError', true)), 'retriable');
    assert.equal(classifyProduceFailure(kafkaError('KafkaJSNumberOfRetriesExceeded', false, { cause: kafkaError('KafkaJSConnectionError', true) })), 'retriable');
    assert.equal(classifyProduceFailure(kafkaError('KafkaJSProtocolError', true, { type: 'NOT_LEADER_FOR_PARTITION' })), 'retriable');
  });
  test('errors about the records themselves', () => {
    for (const type of ['MESSAGE_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'RECORD_LIST_TOO_LARGE']) {
      assert.equal(classifyProduceFailure(kafkaError('KafkaJSProtocolError', false, { type })), 'record', type);
    }
    assert.equal(classifyProduceFailure(kafkaError('KafkaJSNumberOfRetriesExceeded', false, { cause: kafkaError('KafkaJSProtocolError', false, { type: 'MESSAGE_TOO_LARGE' }) })), 'record');
    assert.equal(classifyProduceFailure(new TypeError('Cannot encode header value')), 'record');
  });
  test('a KafkaJS client in a bad state is neither: renew it, never dead-letter good messages for it', () => {
    assert.equal(classifyProduceFailure(kafkaError('KafkaJSNonRetriableError', false)), 'client');
    assert.equal(classifyProduceFailure(kafkaError('KafkaJSProtocolError', false, { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' })), 'client');
  });
});

describe('recordForDelivery', () => {
  const opts: IngressRecordOptions = {
    rawTopic: 'raw', dlqTopic: 'dlq', limits: DEFAULT_DFO_MESSAGE_LIMITS, maxRecordBytes: 1_000_000, deadLetterKeepBytes: 1000, maxDeliveries: 20, receivedAt: '2026-12-06T10:00:00.000Z',
  };
  const delivery = (content: Buffer, properties: Record<string, unknown> = {}, routingKey = 'stillinger') =>
    ({ content, fields: { routingKey, exchange: 'ex_from_dfo' }, properties }) as unknown as ConsumeMessage;
  test('a good message is mirrored with its message id header', () => {
    const r = recordForDelivery(delivery(Buffer.from('{"id":"007"}'), { messageId: 'm1' }), opts);
    assert.equal(r.topic, 'raw');
    assert.equal(r.message.key, 'stillinger:7');
    assert.deepEqual(r.message.headers, { 'amqp-message-id': 'm1' });
  });
  test('a quorum queue that delivered a message more than the limit: dead-lettered', () => {
    const r = recordForDelivery(delivery(Buffer.from('{"id":"7"}'), { headers: { 'x-delivery-count': 21 } }), opts);
    assert.equal(r.topic, 'dlq');
    assert.match(r.reason!, /delivered 21 times without being acked/);
    // A classic queue counts nothing: a header the publisher set itself is not believed.
    assert.equal(recordForDelivery(delivery(Buffer.from('{"id":"7"}'), { headers: { 'x-delivery-count': 21 } }), { ...opts, maxDeliveries: null }).topic, 'raw');
  });
  test('a record larger than Kafka takes: dead-lettered, with a kept excerpt that fits', () => {
    const body = Buffer.from(JSON.stringify({ id: 1, ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, 'x'.repeat(3000)])) }));
    const r = recordForDelivery(delivery(body), { ...opts, maxRecordBytes: 20_000 });
    assert.equal(r.topic, 'dlq');
    const d = JSON.parse(r.message.value as string) as DeadLetterRecord;
    assert.match(d.reason, /more than Kafka accepts on raw \(20000\)/);
    assert.equal(Buffer.from(d.bodyBase64, 'base64').length, 1000);
    assert.equal(d.truncated, true);
  });
  test('property: never throws, whatever the bytes and properties; a dead letter always says why', () => {
    fc.assert(fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.json().map((j) => Buffer.from(j)), fc.jsonValue().map((v) => Buffer.from(JSON.stringify({ id: '1', x: v })))),
      fc.record({ messageId: fc.anything(), contentType: fc.anything(), headers: fc.option(fc.dictionary(fc.string(), fc.anything())) }, { requiredKeys: [] }),
      fc.string(),
      (content, properties, routingKey) => {
        const r = recordForDelivery(delivery(content, properties, routingKey), opts);
        assert.ok(r.topic === 'raw' || (r.topic === 'dlq' && typeof r.reason === 'string' && r.reason.length > 0));
        assert.ok(r.bytes > 0);
      },
    ), { numRuns: 1000 });
  });
});
