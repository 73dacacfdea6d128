/**
 * Writes a run's output to Kafka: repair events onto the raw topic (the topology then handles them
 * like missed notifications) and drift / run records onto the audit topic. Idempotent producer,
 * acks=all; the run reports completion only after Kafka acknowledged.
 */
import { Partitioners, type Producer } from 'kafkajs';
import { topicNames } from '../../topology/contracts/topics.ts';
import { RAW_HEADERS } from '../../topology/contracts/raw.ts';
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../../runtime/kafka/client.ts';

export interface ReconcileOutput {
  /** Sends key/value records to the raw topic. */
  sendRaw(records: Array<{ key: string; value: unknown }>): Promise<void>;
  /** Sends records to the audit topic. */
  sendAudit(records: Array<{ key: string; value: unknown }>): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = 500;

/** `encodeAudit` writes an audit value (the schema registry's wire format when the audit topic has a registered schema); default plain JSON. */
export async function startReconcileOutput(opts: { brokers: string[]; appId: string; log: Logger; encodeAudit?: (value: unknown) => Buffer }): Promise<ReconcileOutput> {
  const topics = topicNames(opts.appId);
  const kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-reconcile`, log: opts.log });
  // The ingress's partitioner (Java-compatible murmur2): a repair lands on the partition of the notifications it repairs.
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const plain = (value: unknown) => JSON.stringify(value);
  const send = async (topic: string, records: Array<{ key: string; value: unknown }>, encode: (value: unknown) => Buffer | string = plain) => {
    for (let i = 0; i < records.length; i += CHUNK) {
      const messages = records.slice(i, i + CHUNK).map((r) => ({ key: r.key, value: encode(r.value), headers: { [RAW_HEADERS.source]: 'reconcile' } }));
      await producer.send({ topic, messages, acks: -1 });
    }
  };
  return {
    sendRaw: (records) => send(topics.raw, records),
    sendAudit: (records) => send(topics.audit, records, opts.encodeAudit),
    close: () => producer.disconnect(),
  };
}
