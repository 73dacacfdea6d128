/**
 * Writes change tags to the compacted `<app>.iga.change-status` topic (key `<changeId>|<destination>`)
 * with an idempotent producer and acks from every in-sync replica: once `write` resolves, the tags
 * are durable, and only then does a driver commit the offsets of the changes they describe.
 */
import { Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../../../src/common/log.ts';
import { createKafka, CONNECTOR_RETRY, type KafkaConnectionOptions } from '../../../src/runtime/kafka/client.ts';
import { changeStatusKey, type ChangeStatus } from '../../../src/topology/contracts/changeStatus.ts';

export interface StatusWriter {
  write(tags: ChangeStatus[]): Promise<void>;
  close(): Promise<void>;
}

export async function startStatusWriter(opts: { kafka: KafkaConnectionOptions; topic: string; log: Logger }): Promise<StatusWriter> {
  const kafka = createKafka({ retry: CONNECTOR_RETRY, ...opts.kafka, log: opts.log });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async write(tags) {
      if (tags.length === 0) return;
      await producer.send({
        topic: opts.topic, acks: -1,
        messages: tags.map((t) => ({ key: changeStatusKey(t.changeId, t.destination), value: JSON.stringify(t) })),
      });
    },
    close: () => producer.disconnect(),
  };
}
