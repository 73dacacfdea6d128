/**
 * Helpers for the RabbitMQ connector integration tests: broker addresses from the environment,
 * unique names, topic set-up and clean-up, and collectors for Kafka topics and AMQP queues.
 * A missing broker makes the helpers throw (the tests fail loudly; nothing is skipped).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import * as amqp from 'amqplib';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import '../../src/runtime/kafka/kafkajsFixes.ts'; // the tests' own client gets the runtime's KafkaJS fix too (no TimeoutNegativeWarning)

export const KAFKA_BROKERS = (process.env.IGA_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((s) => s.trim());
export const AMQP_URL = process.env.IGA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

export const kafka = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'rabbitmq-connector-tests', logLevel: logLevel.NOTHING, retry: { retries: 3 } });

/** Polls `check` until it returns a value other than undefined/false; throws with `what` after `deadlineMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(topics: string[], numPartitions = 1): Promise<void> {
  await withAdmin(async (admin) => {
    await createTopicsAndWait(admin, topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })));
  });
}

export async function deleteTopics(topics: string[]): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics, timeout: 10_000 })).catch(() => undefined);
}

export async function deleteGroups(groupIds: string[]): Promise<void> {
  await withAdmin((admin) => admin.deleteGroups(groupIds)).catch(() => undefined);
}

/** Committed offset of a group on partition 0 ('-1' when nothing is committed). */
export async function committedOffset(groupId: string, topic: string): Promise<string> {
  return withAdmin(async (admin) => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return t?.partitions.find((p) => p.partition === 0)?.offset ?? '-1';
  });
}

/** Reads `topics` from the beginning into `messages` until stopped. */
export async function collectTopic(topics: string[]): Promise<{ messages: (KafkaMessage & { topic: string })[]; stop(): Promise<void> }> {
  const groupId = unique('reader');
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  const messages: (KafkaMessage & { topic: string })[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ topic, message }) => void messages.push({ ...message, topic }) });
  return {
    messages,
    async stop() {
      await consumer.disconnect();
      await deleteGroups([groupId]);
    },
  };
}

export async function produce(topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** An AMQP connection for the test itself. */
export async function amqpConnect(): Promise<ChannelModel> {
  return amqp.connect(AMQP_URL);
}

/**
 * A describe block's broker scratch: an AMQP connection opened before its tests, and the
 * exchanges, queues, topics and consumer groups the tests record, deleted after them.
 */
export function brokerScratch(): { readonly conn: ChannelModel; exchanges: string[]; queues: string[]; topics: string[]; groups: string[] } {
  let conn: ChannelModel | undefined;
  const scratch = {
    get conn(): ChannelModel {
      if (!conn) throw new Error('brokerScratch: the connection is opened in beforeAll');
      return conn;
    },
    exchanges: [] as string[], queues: [] as string[], topics: [] as string[], groups: [] as string[],
  };
  beforeAll(async () => {
    conn = await amqpConnect();
  });
  afterAll(async () => {
    if (conn) {
      const ch = await conn.createChannel();
      for (const q of scratch.queues) await ch.deleteQueue(q);
      for (const x of scratch.exchanges) await ch.deleteExchange(x);
      await conn.close();
    }
    await deleteTopics(scratch.topics);
    if (scratch.groups.length > 0) await deleteGroups(scratch.groups);
  });
  return scratch;
}

/** Consumes a queue (auto-ack) into `messages`. */
export async function collectQueue(conn: ChannelModel, queue: string): Promise<ConsumeMessage[]> {
  const ch = await conn.createChannel();
  const messages: ConsumeMessage[] = [];
  await ch.consume(queue, (m) => void (m && messages.push(m)), { noAck: true });
  return messages;
}
