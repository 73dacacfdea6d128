/**
 * Control records for a stateful step: one record sent to every partition of the step's input
 * topic, so whichever task holds the state it is about sees it (the brake's release and discard,
 * the release of a held match). Idempotent producer, made at the first send; acks from every
 * in-sync replica, so a send that resolved is durable.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';

export interface ControlRecordSender {
  /** Sends `value` (as JSON) with `key` to every partition of the topic. */
  send(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}

export function controlRecordSender(kafka: Kafka, topic: string): ControlRecordSender {
  let producer: Producer | null = null;

  async function partitions(): Promise<number[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => p.partitionId);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  return {
    async send(key, value) {
      if (!producer) {
        const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
        await p.connect();
        producer = p;
      }
      const json = JSON.stringify(value);
      await producer.send({ topic, acks: -1, messages: (await partitions()).map((partition) => ({ key, value: json, partition })) });
    },
    async close() {
      await producer?.disconnect().catch(() => undefined);
    },
  };
}
