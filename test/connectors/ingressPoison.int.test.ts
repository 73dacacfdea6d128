/**
 * Input that used to stop all ingress (issue 13, item 1 and 2): a body nested 10,000 levels deep,
 * a 5 MB body with a valid id, a record larger than the topic accepts, and a record Kafka starts
 * refusing after start-up. Each is dead-lettered with its reason and an excerpt of its bytes, and
 * the good message published right after it still reaches Kafka within seconds.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startIngress, type IngressOptions } from '../../connectors/ingress/ingress.ts';
import type { DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { AMQP_URL, KAFKA_BROKERS, brokerScratch, collectTopic, unique, waitFor, withAdmin } from './brokers.ts';

describe('ingress and poison input (real RabbitMQ and Kafka)', () => {
  const scratch = brokerScratch();
  const { exchanges, queues, topics } = scratch;

  async function setUp(rawTopicMaxBytes?: number): Promise<IngressOptions> {
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
    const configEntries = rawTopicMaxBytes ? [{ name: 'max.message.bytes', value: String(rawTopicMaxBytes) }] : [];
    await withAdmin((admin) => createTopicsAndWait(admin, [
      { topic: opts.rawTopic, numPartitions: 2, replicationFactor: 1, configEntries },
      { topic: opts.dlqTopic, numPartitions: 1, replicationFactor: 1 },
    ]));
    return opts;
  }

  async function publish(exchange: string, routingKey: string, body: string | Buffer, messageId: string): Promise<void> {
    const ch = await scratch.conn.createConfirmChannel();
    ch.publish(exchange, routingKey, Buffer.isBuffer(body) ? body : Buffer.from(body), { contentType: 'application/octet-stream', messageId });
    await ch.waitForConfirms();
    await ch.close();
  }

  /** Publishes `bad`, then a good message; the good one must reach the raw topic within 10 s. */
  async function poisonThenGood(opts: IngressOptions, bad: Buffer, ingressOpts: Partial<IngressOptions> = {}): Promise<DeadLetterRecord> {
    const ingress = await startIngress({ ...opts, ...ingressOpts });
    const reader = await collectTopic([opts.rawTopic, opts.dlqTopic]);
    try {
      await publish(opts.exchange!, 'stillinger', bad, 'poison-1');
      await publish(opts.exchange!, 'stillinger', JSON.stringify({ id: '30001234', uri: 'dfo:stillinger' }), 'good-1');
      const raw = await waitFor('the good message on the raw topic', () => reader.messages.find((m) => m.topic === opts.rawTopic), 10_000);
      assert.equal(raw.key!.toString(), 'stillinger:30001234');
      const dead = await waitFor('the dead letter', () => reader.messages.find((m) => m.topic === opts.dlqTopic), 10_000);
      await waitFor('both acked', () => ingress.stats().accepted === 1 && ingress.stats().deadLettered === 1 && ingress.stats().pending === 0, 10_000);
      const record = JSON.parse(dead.value!.toString()) as DeadLetterRecord;
      assert.equal(record.messageId, 'poison-1');
      assert.equal(record.bodyBytes, bad.length);
      assert.ok(record.reason.length <= 2100, 'the reason is bounded');
      const kept = Buffer.from(record.bodyBase64, 'base64');
      assert.ok(kept.length <= 256 * 1024, 'the excerpt is bounded');
      assert.deepEqual(kept, bad.subarray(0, kept.length), 'the excerpt is the start of the original bytes');
      return record;
    } finally {
      await reader.stop();
      await ingress.stop();
    }
  }

  test('a valid id with a field nested 10,000 levels deep is dead-lettered; the next message flows', async () => {
    const opts = await setUp();
    const deep = `{"id":"30001233","uri":"dfo:stillinger","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const record = await poisonThenGood(opts, Buffer.from(deep));
    assert.match(record.reason, /nested deeper than 32 levels/);
    assert.equal(record.truncated, undefined);
  });

  test('a 5 MB body with a valid id is dead-lettered with an excerpt; the next message flows', async () => {
    const opts = await setUp();
    const huge = Buffer.from(JSON.stringify({ id: '30001233', uri: 'dfo:stillinger', padding: 'x'.repeat(5 * 1024 * 1024) }));
    const record = await poisonThenGood(opts, huge);
    assert.match(record.reason, /more than the limit of 65536/);
    assert.equal(record.truncated, true);
  });

  test('a record larger than the topic accepts (read at start-up) is dead-lettered, not retried', async () => {
    const opts = await setUp(16 * 1024);
    // Within the body limits (no string over 4 KiB, 64 KiB in all), but 24 KiB: more than the raw topic's 16 KiB.
    const fields = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, 'y'.repeat(3000)]));
    const big = Buffer.from(JSON.stringify({ id: '30001233', uri: 'dfo:stillinger', ...fields }));
    const record = await poisonThenGood(opts, big, { limits: { maxBytes: 1024 * 1024 } });
    assert.match(record.reason, /more than Kafka accepts on/);
  });

  test('a record Kafka starts refusing after start-up is dead-lettered after 3 refusals; the rest of its batch goes through', async () => {
    const opts = await setUp();
    const ingress = await startIngress({ ...opts, batchWindowMs: 200 });
    const reader = await collectTopic([opts.rawTopic, opts.dlqTopic]);
    try {
      // The ingress read 1 MiB at start-up; the topic now takes 8 KiB, so the broker itself refuses (MESSAGE_TOO_LARGE).
      await withAdmin((admin) => admin.alterConfigs({ validateOnly: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: opts.rawTopic, configEntries: [{ name: 'max.message.bytes', value: '8192' }] }] }));
      const ch = await scratch.conn.createConfirmChannel();
      const big = JSON.stringify({ id: '30001233', ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`f${i}`, 'z'.repeat(4000)])) });
      ch.publish(opts.exchange!, 'stillinger', Buffer.from(JSON.stringify({ id: '1' })), { messageId: 'before' });
      ch.publish(opts.exchange!, 'stillinger', Buffer.from(big), { messageId: 'refused' });
      ch.publish(opts.exchange!, 'stillinger', Buffer.from(JSON.stringify({ id: '2' })), { messageId: 'after' });
      await ch.waitForConfirms();
      await ch.close();
      await waitFor('two raw records and a dead letter', () => reader.messages.length === 3, 20_000);
      const ids = (topic: string) => reader.messages.filter((m) => m.topic === topic).map((m) => m.headers!['amqp-message-id']!.toString());
      assert.deepEqual(ids(opts.rawTopic).sort(), ['after', 'before']);
      assert.deepEqual(ids(opts.dlqTopic), ['refused']);
      const record = JSON.parse(reader.messages.find((m) => m.topic === opts.dlqTopic)!.value!.toString()) as DeadLetterRecord;
      assert.match(record.reason, /Kafka refused the record 3 times/);
      await waitFor('all acked', () => ingress.stats().pending === 0 && ingress.stats().accepted === 2 && ingress.stats().deadLettered === 1, 10_000);
    } finally {
      await reader.stop();
      await ingress.stop();
    }
  });
});
