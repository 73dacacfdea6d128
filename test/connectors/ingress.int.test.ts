import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { startIngress, type IngressOptions } from '../../connectors/ingress/ingress.ts';
import { rawEventKey, type RawDfoEvent } from '../../src/topology/contracts/raw.ts';
import type { DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { closeAmqpConnections } from '../support/amqpConnections.ts';
import { AMQP_URL, KAFKA_BROKERS, brokerScratch, collectTopic, createTopics, unique, waitFor } from './brokers.ts';

describe('ingress (real RabbitMQ and Kafka)', () => {
  const scratch = brokerScratch();
  const { exchanges, queues, topics } = scratch;

  async function setUp(): Promise<IngressOptions> {
    const opts: IngressOptions = {
      amqpUrl: AMQP_URL,
      exchange: unique('ex_from_dfo'),
      queue: unique('iga.dfo-in'),
      kafka: { brokers: KAFKA_BROKERS, clientId: unique('ingress') },
      rawTopic: unique('dfo.events'),
      dlqTopic: unique('iga.dlq'),
      backoff: { initialMs: 20, maxMs: 200 },
    };
    exchanges.push(opts.exchange!);
    queues.push(opts.queue);
    topics.push(opts.rawTopic, opts.dlqTopic);
    return opts;
  }

  async function publish(exchange: string, routingKey: string, body: string | Buffer, messageId?: string): Promise<void> {
    const ch = await scratch.conn.createConfirmChannel();
    ch.publish(exchange, routingKey, Buffer.from(body), { contentType: 'application/octet-stream', ...(messageId ? { messageId } : {}) });
    await ch.waitForConfirms();
    await ch.close();
  }

  async function queueDepth(queue: string): Promise<number> {
    const ch = await scratch.conn.createChannel();
    const { messageCount } = await ch.checkQueue(queue);
    await ch.close();
    return messageCount;
  }

  test('a DFØ message lands on the raw topic keyed kind:id, and is acked', async () => {
    const opts = await setUp();
    await createTopics([opts.rawTopic, opts.dlqTopic], 3);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    try {
      await publish(opts.exchange!, 'ansatte', JSON.stringify({ id: '00101926', uri: 'dfo:ansatte', gyldigEtter: '20300101', firmakode: '9900' }), 'msg-1');
      const [m] = await waitFor('the raw record', () => reader.messages.length === 1 && reader.messages);
      assert.equal(m!.key!.toString(), 'ansatte:101926');
      assert.equal(m!.headers!['amqp-message-id']!.toString(), 'msg-1');
      const event = JSON.parse(m!.value!.toString()) as RawDfoEvent;
      assert.equal(rawEventKey(event), 'ansatte:101926');
      assert.equal(event.notBefore, '2030-01-01');
      assert.equal(event.firmakode, '9900');
      assert.deepEqual(event.source, { exchange: opts.exchange, routingKey: 'ansatte', messageId: 'msg-1', contentType: 'application/octet-stream' });
      await waitFor('the ack', () => ingress.stats().accepted === 1);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
    // Unacked deliveries would be back in the queue once the ingress has closed its connection.
    assert.equal(await queueDepth(opts.queue), 0);
    assert.equal(ingress.stats().requeued, 0);
  });

  test('a malformed message is dead-lettered with reason and original bytes; the ingress keeps consuming', async () => {
    const opts = await setUp();
    await createTopics([opts.rawTopic, opts.dlqTopic]);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic, opts.dlqTopic]);
    const garbage = Buffer.from([0x7b, 0x22, 0x69, 0x64, 0xff, 0x00]);
    try {
      await publish(opts.exchange!, 'stillinger', garbage, 'bad-1');
      await publish(opts.exchange!, 'stillinger', JSON.stringify({ id: 'x1', uri: 'dfo:stillinger' }), 'bad-2');
      await publish(opts.exchange!, 'stillinger', JSON.stringify({ id: 30001233 }), 'good-1');
      await waitFor('three records', () => reader.messages.length === 3);
      const dead = reader.messages.filter((m) => m.topic === opts.dlqTopic).map((m) => JSON.parse(m.value!.toString()) as DeadLetterRecord);
      const raw = reader.messages.filter((m) => m.topic === opts.rawTopic);
      assert.equal(dead.length, 2);
      const first = dead.find((d) => d.messageId === 'bad-1')!;
      assert.deepEqual(Buffer.from(first.bodyBase64, 'base64'), garbage);
      assert.match(first.reason, /UTF-8 JSON/);
      assert.equal(first.source, 'ingress');
      assert.equal(first.routingKey, 'stillinger');
      assert.equal(first.exchange, opts.exchange);
      assert.equal(first.contentType, 'application/octet-stream');
      assert.match(dead.find((d) => d.messageId === 'bad-2')!.reason, /id/);
      assert.equal(raw.length, 1);
      assert.equal(raw[0]!.key!.toString(), 'stillinger:30001233');
      await waitFor('all acked', () => ingress.stats().accepted === 1 && ingress.stats().deadLettered === 2);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
    assert.equal(await queueDepth(opts.queue), 0);
  });

  test('a burst larger than the prefetch window arrives complete and in order per key', async () => {
    const opts = { ...(await setUp()), prefetch: 16 };
    await createTopics([opts.rawTopic, opts.dlqTopic], 2);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    try {
      const ch = await scratch.conn.createConfirmChannel();
      for (let i = 0; i < 200; i++) ch.publish(opts.exchange!, i % 2 ? 'ansatte' : 'stillinger', Buffer.from(JSON.stringify({ id: String(i % 10), seq: i })));
      await ch.waitForConfirms();
      await ch.close();
      await waitFor('200 raw records', () => reader.messages.length === 200);
      const seqByKey = new Map<string, number[]>();
      for (const m of reader.messages) {
        const e = JSON.parse(m.value!.toString()) as RawDfoEvent;
        const list = seqByKey.get(m.key!.toString()) ?? [];
        list.push((e.body as { seq: number }).seq);
        seqByKey.set(m.key!.toString(), list);
      }
      assert.equal(seqByKey.size, 10);
      for (const [key, seqs] of seqByKey) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order for ${key}`);
      await waitFor('all acked', () => ingress.stats().accepted === 200);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
    assert.equal(await queueDepth(opts.queue), 0);
  });

  test('on a quorum queue (IGA_AMQP_QUEUE_TYPE=quorum) a message lands and is acked as on a classic one', async () => {
    const opts = { ...(await setUp()), queueArguments: { 'x-queue-type': 'quorum' } };
    await createTopics([opts.rawTopic, opts.dlqTopic]);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    try {
      await publish(opts.exchange!, 'ansatte', JSON.stringify({ id: '8' }), 'q-1');
      await waitFor('the raw record', () => reader.messages.length === 1);
      await waitFor('the ack', () => ingress.stats().accepted === 1);
      const ch = await scratch.conn.createChannel();
      const declared = await ch.checkQueue(opts.queue);
      await ch.close();
      assert.equal(declared.messageCount, 0);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
  });

  test('reconnects when RabbitMQ drops the consumer, re-declares its queue and keeps going', async () => {
    const opts = await setUp();
    await createTopics([opts.rawTopic, opts.dlqTopic]);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    try {
      const ch = await scratch.conn.createChannel();
      await ch.deleteQueue(opts.queue); // the broker cancels our consumer
      await ch.close();
      await waitFor('a reconnect', () => ingress.stats().reconnects >= 1 && ingress.stats().connected);
      await publish(opts.exchange!, 'ansatte', JSON.stringify({ id: '7' }));
      await waitFor('the raw record', () => reader.messages.length === 1);
      assert.equal(reader.messages[0]!.key!.toString(), 'ansatte:7');
      await waitFor('the ack', () => ingress.stats().accepted === 1);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
    assert.equal(await queueDepth(opts.queue), 0);
  });

  test('its AMQP connection closed 20 times under load, it never wedges: every message reaches Kafka and is acked', async () => {
    const opts = { ...(await setUp()), connectionName: unique('ingress-wedge') };
    await createTopics([opts.rawTopic, opts.dlqTopic], 3);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    const total = 4000; // ~20 s at ~200/s: every close lands while messages stream in
    let published = 0;
    const publishing = (async () => {
      const ch = await scratch.conn.createConfirmChannel();
      for (let i = 0; i < total; i++) {
        ch.publish(opts.exchange!, i % 3 ? 'stillinger' : 'ansatte', Buffer.from(JSON.stringify({ id: String(100_000 + i) })), { messageId: `m-${i}` });
        published++;
        // A steady trickle (~200/s, as DFØ sends during a busy hour): the ingress is mostly idle
        // between deliveries, waiting out its batch window when a close hits.
        if (i % 50 === 49) await ch.waitForConfirms();
        await new Promise((r) => setTimeout(r, 4));
      }
      await ch.waitForConfirms();
      await ch.close();
    })();
    let closes = 0;
    try {
      // Close while messages stream in: each close lands at a different point of the batch cycle.
      while (closes < 20) {
        await waitFor('a consuming connection', () => ingress.stats().connected, 30_000);
        await new Promise((r) => setTimeout(r, 40 + ((closes * 37) % 160)));
        closes += await closeAmqpConnections(opts.connectionName);
      }
      await publishing;
      const ids = () => new Set(reader.messages.map((m) => m.headers!['amqp-message-id']!.toString()));
      await waitFor(`all ${total} messages on the raw topic`, () => ids().size === total, 60_000);
      await waitFor('everything acked', async () => ingress.stats().pending === 0 && (await queueDepth(opts.queue)) === 0, 30_000);
      assert.ok(published === total && closes >= 20);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
  });

  test('while Kafka cannot take the write nothing is acked; stop requeues; a restart delivers it', async () => {
    const opts = await setUp();
    // The raw topic does not exist yet (and auto-creation is off): every produce fails.
    await createTopics([opts.dlqTopic]);
    const registry = new Registry();
    const first = await startIngress({ ...opts, kafka: { ...opts.kafka, retry: { retries: 1, initialRetryTime: 50 } }, stallAfterMs: 1000, watchdogIntervalMs: 100, registry });
    try {
      await publish(opts.exchange!, 'ansatte', JSON.stringify({ id: '42' }), 'wait-1');
      await waitFor('a failed produce', () => first.stats().produceRetries >= 1);
      assert.equal(first.stats().accepted, 0);
      // Held past the stall window: the stall is visible (readiness reads `stalled`), and no recycle helps here.
      await waitFor('the stall', () => first.stats().stalled, 10_000);
      assert.equal(first.stats().stalledReason, 'kafka-not-acknowledging');
      assert.equal((await registry.getSingleMetric('iga_ingress_stalled')!.get()).values[0]!.value, 1);
      assert.ok((await registry.getSingleMetric('iga_ingress_oldest_unacked_seconds')!.get()).values[0]!.value >= 1);
      assert.equal(first.stats().recoveries, 0);
    } finally {
      await first.stop();
    }
    assert.equal(first.stats().requeued, 1);
    assert.equal(await queueDepth(opts.queue), 1);

    await createTopics([opts.rawTopic]);
    const second = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    try {
      await waitFor('the raw record', () => reader.messages.length === 1);
      assert.equal(reader.messages[0]!.key!.toString(), 'ansatte:42');
      await waitFor('the ack', () => second.stats().accepted === 1);
    } finally {
      await reader.stop();
      await second.stop();
    }
    assert.equal(await queueDepth(opts.queue), 0);
  });
});
