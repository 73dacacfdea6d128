/**
 * Captures every message published to an AMQP exchange (an exclusive queue bound with '#'), as the
 * end-to-end harnesses do with the service's notify exchange.
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { amqpUrl } from './brokers.ts';

export interface ExchangeCapture<T> {
  /** Every message so far, in arrival order, as `toItem` made it. */
  items: T[];
  close(): Promise<void>;
}

export async function captureExchange<T>(exchange: string, toItem: (m: ConsumeMessage) => T): Promise<ExchangeCapture<T>> {
  const conn = await amqp.connect(amqpUrl);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, exchange, '#');
  const items: T[] = [];
  await ch.consume(q.queue, (m) => {
    if (!m) return;
    items.push(toItem(m));
    ch.ack(m);
  });
  return {
    items,
    async close() {
      await ch.close().catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}
