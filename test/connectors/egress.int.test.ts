import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startEgress, type EgressOptions } from '../../connectors/egress/egress.ts';
import type { NotifyRecord } from '../../src/topology/contracts/notify.ts';
import type { DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { AMQP_URL, KAFKA_BROKERS, brokerScratch, collectQueue, collectTopic, committedOffset, createTopics, produce, unique, waitFor } from './brokers.ts';

const prefix = 'https://gw-uib.intark.uh-it.no/iga/scim/v2/Users/';
const record = (accountId: string, version: number, type: NotifyRecord['type'], attributes?: string[]): NotifyRecord => ({
  eventId: `${accountId}:v${version}`, type, accountId, resourceUri: prefix + accountId, occurredAt: '2026-03-01T12:00:00.000Z', ...(attributes ? { attributes } : {}),
});
const asKafka = (r: NotifyRecord) => ({ key: r.accountId, value: JSON.stringify(r) });

describe('egress (real Kafka and RabbitMQ)', () => {
  const scratch = brokerScratch();
  const { exchanges, queues, topics, groups } = scratch;

  async function setUp(): Promise<EgressOptions & { exchange: string; dlqTopic: string }> {
    const opts = {
      amqpUrl: AMQP_URL,
      exchange: unique('ex_from_iga'),
      routingKey: 'no.uib.iga.scim.user.{type}',
      kafka: { brokers: KAFKA_BROKERS, clientId: unique('egress'), groupId: unique('egress-group') },
      notifyTopic: unique('iga.notify'),
      dlqTopic: unique('iga.dlq'),
      backoff: { initialMs: 20, maxMs: 200 },
    };
    exchanges.push(opts.exchange);
    groups.push(opts.kafka.groupId);
    topics.push(opts.notifyTopic, opts.dlqTopic);
    await createTopics([opts.notifyTopic, opts.dlqTopic]);
    return opts;
  }

  /** A queue of the test's own bound to the out exchange (declared the same way the egress does). */
  async function bindQueue(exchange: string, pattern: string, existingQueue?: string): Promise<string> {
    const ch = await scratch.conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await ch.assertQueue(existingQueue ?? unique('scim-events'), { durable: false });
    await ch.bindQueue(queue, exchange, pattern);
    await ch.close();
    queues.push(queue);
    return queue;
  }

  test('publishes notify records with routing key, body and properties; commits; a restart does not re-deliver', async () => {
    const opts = await setUp();
    const queue = await bindQueue(opts.exchange, 'no.uib.iga.scim.user.*');
    const received = await collectQueue(scratch.conn, queue);
    const create = record('acc-1', 1, 'CREATE', ['ignored']);
    const modify = record('acc-1', 2, 'MODIFY', ['active']);
    await produce(opts.notifyTopic, [asKafka(create), asKafka(modify)]);

    const first = await startEgress(opts);
    try {
      await waitFor('two events', () => received.length === 2);
      await waitFor('the commit', async () => (await committedOffset(opts.kafka.groupId, opts.notifyTopic)) === '2');
    } finally {
      await first.stop();
    }
    const [c, m] = received;
    assert.equal(c!.fields.routingKey, 'no.uib.iga.scim.user.create');
    assert.equal(m!.fields.routingKey, 'no.uib.iga.scim.user.modify');
    assert.deepEqual(JSON.parse(c!.content.toString()), { schemas: ['urn:ietf:params:scim:schemas:notify:2.0:Event'], resourceUris: [prefix + 'acc-1'], type: 'CREATE' });
    assert.deepEqual(JSON.parse(m!.content.toString()), { schemas: ['urn:ietf:params:scim:schemas:notify:2.0:Event'], resourceUris: [prefix + 'acc-1'], type: 'MODIFY', attributes: ['active'] });
    assert.equal(c!.properties.contentType, 'application/json');
    assert.equal(c!.properties.deliveryMode, 2);
    assert.equal(c!.properties.messageId, 'acc-1:v1');
    assert.equal(m!.properties.messageId, 'acc-1:v2');
    assert.equal(c!.properties.type, 'scim.user.create');
    assert.equal(c!.properties.appId, 'iga-stream');
    assert.equal(c!.properties.timestamp, Date.parse(create.occurredAt) / 1000);

    // Restart: only the new record is published (the confirmed ones were committed).
    await produce(opts.notifyTopic, [asKafka(record('acc-2', 1, 'CREATE'))]);
    const second = await startEgress(opts);
    try {
      await waitFor('the third event', () => received.length >= 3);
      await waitFor('the commit', async () => (await committedOffset(opts.kafka.groupId, opts.notifyTopic)) === '3');
    } finally {
      await second.stop();
    }
    assert.deepEqual(received.map((r) => r.properties.messageId), ['acc-1:v1', 'acc-1:v2', 'acc-2:v1']);
  });

  test('an unroutable event is retried, not committed, until a queue is bound', async () => {
    const opts = await setUp();
    await produce(opts.notifyTopic, [asKafka(record('acc-9', 1, 'CREATE'))]);
    const egress = await startEgress(opts);
    try {
      await waitFor('a retry', () => egress.stats().retries >= 2);
      assert.equal(egress.stats().published, 0);
      assert.equal(await committedOffset(opts.kafka.groupId, opts.notifyTopic), '-1');
      const queue = await bindQueue(opts.exchange, '#');
      const received = await collectQueue(scratch.conn, queue);
      await waitFor('the event', () => received.length === 1);
      assert.equal(received[0]!.properties.messageId, 'acc-9:v1');
      await waitFor('the commit', async () => (await committedOffset(opts.kafka.groupId, opts.notifyTopic)) === '1');
    } finally {
      await egress.stop();
    }
  });

  test('a closed channel (exchange deleted under it) is retried on a new connection, never skipped', async () => {
    const opts = await setUp();
    const queue = await bindQueue(opts.exchange, '#');
    const received = await collectQueue(scratch.conn, queue);
    await produce(opts.notifyTopic, [asKafka(record('acc-5', 1, 'CREATE'))]);
    const egress = await startEgress(opts);
    try {
      await waitFor('the first event', () => received.length === 1);
      const ch = await scratch.conn.createChannel();
      await ch.deleteExchange(opts.exchange); // the next publish kills the egress channel (404)
      await ch.close();
      await produce(opts.notifyTopic, [asKafka(record('acc-5', 2, 'MODIFY', ['displayName']))]);
      await waitFor('retries', () => egress.stats().retries >= 2);
      await bindQueue(opts.exchange, '#', queue); // the exchange is back (re-declared by either side); route it again
      await waitFor('the second event', () => received.length === 2);
      assert.equal(received[1]!.properties.messageId, 'acc-5:v2');
      await waitFor('the commit', async () => (await committedOffset(opts.kafka.groupId, opts.notifyTopic)) === '2');
    } finally {
      await egress.stop();
    }
  });

  test('an invalid notify record goes to the DLQ and does not block the next one', async () => {
    const opts = await setUp();
    const queue = await bindQueue(opts.exchange, '#');
    const received = await collectQueue(scratch.conn, queue);
    await produce(opts.notifyTopic, [{ key: 'x', value: '{"type":"DELETE"}' }, asKafka(record('acc-3', 1, 'CREATE'))]);
    const reader = await collectTopic([opts.dlqTopic]);
    const egress = await startEgress(opts);
    try {
      await waitFor('the valid event', () => received.length === 1);
      await waitFor('the dead letter', () => reader.messages.length === 1);
      const dead = JSON.parse(reader.messages[0]!.value!.toString()) as DeadLetterRecord;
      assert.equal(dead.source, 'egress');
      assert.match(dead.reason, /invalid notify record/);
      assert.equal(Buffer.from(dead.bodyBase64, 'base64').toString(), '{"type":"DELETE"}');
      assert.deepEqual(dead.kafka, { topic: opts.notifyTopic, partition: 0, offset: '0' });
      await waitFor('the commit', async () => (await committedOffset(opts.kafka.groupId, opts.notifyTopic)) === '2');
    } finally {
      await reader.stop();
      await egress.stop();
    }
  });
});
