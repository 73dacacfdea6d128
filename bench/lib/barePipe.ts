/**
 * The baseline of the end-to-end benchmark: the same clients as iga-stream's ingress and egress
 * (amqplib, KafkaJS) piping RabbitMQ → Kafka → RabbitMQ with no processing, batching the way our
 * connectors do (prefetch micro-batches produced idempotently with acks=all, acked after Kafka;
 * read_committed batches published over a confirm channel, committed after the confirms).
 * Run as its own process: `node bench/lib/barePipe.ts <amqpUrl> <exIn> <exOut> <brokers> <topic>`;
 * prints "ready" once consuming; stops on SIGTERM.
 */
import amqp from 'amqplib';
import kafkajs from 'kafkajs';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';

const [amqpUrl, exIn, exOut, brokers, topic] = process.argv.slice(2) as [string, string, string, string, string];
const PREFETCH = 64;
const kafka = new kafkajs.Kafka({ brokers: brokers.split(','), clientId: `${topic}-pipe`, logLevel: kafkajs.logLevel.NOTHING });

const admin = kafka.admin();
await admin.connect();
await createTopicsAndWait(admin, [{ topic, numPartitions: 6 }]);
await admin.disconnect();

const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const conn = await amqp.connect(amqpUrl);
const inCh = await conn.createChannel();
await inCh.assertExchange(exIn, 'topic', { durable: true });
const q = await inCh.assertQueue(`${topic}.in`, { durable: true });
await inCh.bindQueue(q.queue, exIn, '#');
await inCh.prefetch(PREFETCH);

// RabbitMQ → Kafka: micro-batches of up to PREFETCH deliveries, acked after Kafka acked them.
let batch: amqp.ConsumeMessage[] = [];
let flushing = Promise.resolve();
const flush = () => {
  const msgs = batch;
  batch = [];
  if (msgs.length === 0) return;
  flushing = flushing.then(async () => {
    await producer.send({ topic, acks: -1, messages: msgs.map((m) => ({ key: `${m.fields.routingKey}:${JSON.parse(m.content.toString()).id}`, value: m.content })) });
    inCh.ack(msgs[msgs.length - 1]!, true);
  });
};
await inCh.consume(q.queue, (m) => {
  if (!m) return;
  batch.push(m);
  if (batch.length >= PREFETCH) flush();
  else if (batch.length === 1) setTimeout(flush, 5);
});

// Kafka → RabbitMQ: each batch published over a confirm channel, committed after the confirms.
const outCh = await conn.createConfirmChannel();
await outCh.assertExchange(exOut, 'topic', { durable: true });
const consumer = kafka.consumer({ groupId: `${topic}.pipe`, readUncommitted: false, maxWaitTimeInMs: 1_000 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  partitionsConsumedConcurrently: 1,
  eachBatch: async ({ batch: b, resolveOffset }) => {
    for (let start = 0; start < b.messages.length; start += 256) {
      const chunk = b.messages.slice(start, start + 256);
      for (const m of chunk) outCh.publish(exOut, 'no.bench.iga.scim.user.create', m.value!, { persistent: true, mandatory: true, messageId: `${b.partition}:${m.offset}`, contentType: 'application/json' });
      await outCh.waitForConfirms();
      const last = chunk[chunk.length - 1]!.offset;
      resolveOffset(last);
      await consumer.commitOffsets([{ topic, partition: b.partition, offset: (BigInt(last) + 1n).toString() }]);
    }
  },
});
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await consumer.disconnect().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
  await conn.close().catch(() => undefined);
  process.exit(0);
});
