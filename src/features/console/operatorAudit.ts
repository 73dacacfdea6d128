/**
 * Every console action goes on the audit topic `<app>.iga.audit` as an operator-action record
 * (its format: src/topology/contracts/operatorAction.ts): who (the admin client's name), what, on
 * what, and how it ended. Sign-in failures are recorded too, without the token. The writer is an
 * idempotent producer, acks=all, encoding like the topic's other writers (the schema registry's
 * wire format when the topic has a registered schema): the action's answer waits until Kafka has it.
 */
import { Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../../runtime/kafka/client.ts';
import { operatorAuditKey, type OperatorActionRecord } from '../../topology/contracts/operatorAction.ts';
import { topicNames } from '../../topology/contracts/topics.ts';

export type { OperatorActionKind, OperatorActionRecord } from '../../topology/contracts/operatorAction.ts';

/** Writes operator-action records; `write` resolves once Kafka acknowledged. */
export interface OperatorAudit {
  write(record: Omit<OperatorActionRecord, 'type' | 'v' | 'via' | 'at'>): Promise<void>;
  close(): Promise<void>;
}

export async function startOperatorAudit(opts: { brokers: string[]; appId: string; log: Logger; clock: () => number; encode?: (value: unknown) => Buffer }): Promise<OperatorAudit> {
  const encode = opts.encode ?? ((value: unknown) => Buffer.from(JSON.stringify(value)));
  const kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-console-audit`, log: opts.log });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const topic = topicNames(opts.appId).audit;
  return {
    async write(r) {
      const value: OperatorActionRecord = { type: 'operator-action', v: 1, at: new Date(opts.clock()).toISOString(), via: 'console', ...r };
      await producer.send({ topic, acks: -1, messages: [{ key: operatorAuditKey(r.client), value: encode(value) }] });
      opts.log.info({ client: r.client, action: r.action, target: r.target, outcome: r.outcome }, 'operator action');
    },
    close: () => producer.disconnect(),
  };
}
