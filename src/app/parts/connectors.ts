/** The RabbitMQ connectors as parts: DFØ notifications in (ingress), SCIM notify events out (egress). */
import { startEgress } from '../../../connectors/egress/egress.ts';
import { startIngress } from '../../../connectors/ingress/ingress.ts';
import type { MemberRegistry } from '../../runtime/kafka/memberRegistry.ts';
import type { Part, PartContext } from './part.ts';
import { valueEncoder, type TopicSerdes } from './schemaRegistry.ts';

export async function ingressPart(ctx: PartContext, serdes: TopicSerdes = new Map()): Promise<Part> {
  const { cfg } = ctx;
  const ingress = await startIngress({
    amqpUrl: cfg.amqp.url, ...(cfg.amqp.tls ? { amqpTls: cfg.amqp.tls } : {}), connectionName: `${cfg.appId} ingress ${ctx.instanceId}`,
    exchange: cfg.amqp.exchangeIn, queue: cfg.amqp.queueIn, routingKeys: cfg.amqp.routingKeysIn, prefetch: cfg.amqp.prefetch,
    ...(cfg.amqp.queueType === 'quorum' ? { queueArguments: { 'x-queue-type': 'quorum' } } : {}),
    limits: { maxBytes: cfg.amqp.maxBodyBytes }, stallAfterMs: cfg.amqp.stallAfterMs, logger: ctx.logOf('ingress'),
    kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-ingress` }, rawTopic: ctx.topics.raw, dlqTopic: ctx.topics.dlq, encodeDeadLetter: valueEncoder(serdes, ctx.topics.dlq),
  });
  return {
    name: 'ingress',
    close: () => ingress.stop(),
    // Ready while connected and moving: a stall (deliveries held, or messages waiting, longer than
    // IGA_INGRESS_STALL_MS) makes the instance not ready until it moves again.
    ready: () => {
      const s = ingress.stats();
      return s.connected && !s.stalled;
    },
    status: () => ({ ...ingress.stats() }),
  };
}

export async function egressPart(ctx: PartContext, members: MemberRegistry, serdes: TopicSerdes = new Map()): Promise<Part & { group: string }> {
  const { cfg } = ctx;
  const group = `${cfg.appId}.egress`;
  const egress = await startEgress({
    amqpUrl: cfg.amqp.url, ...(cfg.amqp.tls ? { amqpTls: cfg.amqp.tls } : {}), connectionName: `${cfg.appId} egress ${ctx.instanceId}`,
    exchange: cfg.amqp.exchangeOut, routingKey: cfg.amqp.routingKeyOut, logger: ctx.logOf('egress'),
    kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-egress`, groupId: group, sessionTimeoutMs: cfg.kafkaSessionTimeoutMs },
    notifyTopic: ctx.topics.notify, dlqTopic: ctx.topics.dlq, encodeDeadLetter: valueEncoder(serdes, ctx.topics.dlq), members,
  });
  return { name: 'egress', group, close: () => egress.stop(), status: () => ({ ...egress.stats() }) };
}
