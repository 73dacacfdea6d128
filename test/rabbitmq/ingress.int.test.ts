import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelModel } from 'amqplib';
import { startIngress, type IngressOptions } from '../../connectors/rabbitmq/ingress.ts';
import { rawEventKey, type RawDfoEvent } from '../../connectors/rabbitmq/dfoMessage.ts';
import type { DeadLetterRecord } from '../../connectors/rabbitmq/deadLetter.ts';
import { AMQP_URL, KAFKA_BROKERS, amqpConnect, collectTopic, createTopics, deleteTopics, unique, waitFor } from './brokers.ts';

describe('ingress (real RabbitMQ and Kafka)', () => {
  let conn: ChannelModel;
  const exchanges: string[] = [];
  const queues: string[] = [];
  const topics: string[] = [];

  before(async () => {
    conn = await amqpConnect();
  });
  after(async () => {
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    for (const x of exchanges) await ch.deleteExchange(x);
    await conn.close();
    await deleteTopics(topics);
  });

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
    const ch = await conn.createConfirmChannel();
    ch.publish(exchange, routingKey, Buffer.from(body), { contentType: 'application/octet-stream', ...(messageId ? { messageId } : {}) });
    await ch.waitForConfirms();
    await ch.close();
  }

  async function queueDepth(queue: string): Promise<number> {
    const ch = await conn.createChannel();
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
      const ch = await conn.createConfirmChannel();
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

  test('reconnects when RabbitMQ drops the consumer, re-declares its queue and keeps going', async () => {
    const opts = await setUp();
    await createTopics([opts.rawTopic, opts.dlqTopic]);
    const ingress = await startIngress(opts);
    const reader = await collectTopic([opts.rawTopic]);
    try {
      const ch = await conn.createChannel();
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

  test('while Kafka cannot take the write nothing is acked; stop requeues; a restart delivers it', async () => {
    const opts = await setUp();
    // The raw topic does not exist yet (and auto-creation is off): every produce fails.
    await createTopics([opts.dlqTopic]);
    const first = await startIngress({ ...opts, kafka: { ...opts.kafka, retry: { retries: 1, initialRetryTime: 50 } } });
    try {
      await publish(opts.exchange!, 'ansatte', JSON.stringify({ id: '42' }), 'wait-1');
      await waitFor('a failed produce', () => first.stats().produceRetries >= 1);
      assert.equal(first.stats().accepted, 0);
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
