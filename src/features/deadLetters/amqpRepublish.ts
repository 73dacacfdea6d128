/**
 * Re-drive's AMQP side: one confirm publisher per exchange (connectors/amqp), opened on first use;
 * a publish counts only when RabbitMQ confirmed it and routed it to a queue (mandatory), else 503.
 */
import type { Logger } from '../../common/log.ts';
import { createConfirmPublisher, type ConfirmPublisher } from '../../../connectors/amqp/confirmPublisher.ts';
import type { AmqpTls } from '../../../connectors/amqp/tls.ts';
import { AdminError } from '../adminApi/index.ts';
import type { Republish } from './deadLetters.ts';

export function amqpRepublish(opts: { url: string; tls?: AmqpTls; appId: string; log: Logger }): { republish: Republish; close(): Promise<void> } {
  const publishers = new Map<string, ConfirmPublisher>();
  return {
    async republish(exchange, routingKey, body, props) {
      let p = publishers.get(exchange);
      if (!p) {
        p = createConfirmPublisher({ url: opts.url, ...(opts.tls ? { tls: opts.tls } : {}), exchange, mandatory: true, logger: opts.log, connectionName: `${opts.appId} re-drive` });
        publishers.set(exchange, p);
      }
      const messageId = props.messageId ?? `redrive-${Date.now()}`;
      let outcome;
      try {
        [outcome] = await p.publish([{ routingKey, body, options: { messageId, persistent: true, headers: props.headers, ...(props.contentType ? { contentType: props.contentType } : {}) } }]);
      } catch (err) {
        throw new AdminError(503, `RabbitMQ did not take the message: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (outcome !== 'confirmed') throw new AdminError(503, `RabbitMQ did not take the message (${outcome}${outcome === 'returned' ? `: no queue is bound to ${exchange} for routing key ${routingKey}` : ''})`);
    },
    async close() {
      await Promise.all([...publishers.values()].map((p) => p.close().catch(() => undefined)));
    },
  };
}
