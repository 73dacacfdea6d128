/**
 * Captures every notify event the service publishes, through broker restarts and closed
 * connections: a durable queue bound to the out exchange with '#', consumed with manual acks, and a
 * consumer that reconnects until closed. A message is acked only after it was recorded, so an event
 * the broker confirmed to the service is never missed, only (rarely) seen twice.
 */
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';

export interface Delivery { messageId: string; routingKey: string; body: string; at: number }

export interface NotifyCapture {
  /** Every delivery in arrival order (redeliveries included). */
  readonly deliveries: Delivery[];
  /** The distinct message ids seen. */
  readonly ids: ReadonlySet<string>;
  /** Deletes the queue and closes. */
  close(): Promise<void>;
}

export async function captureNotify(url: string, exchange: string, queue: string): Promise<NotifyCapture> {
  const deliveries: Delivery[] = [];
  const ids = new Set<string>();
  let conn: ChannelModel | null = null;
  let closing = false;

  const connect = async (): Promise<void> => {
    const c = await amqp.connect(url);
    c.on('error', () => undefined); // 'close' follows and reconnects
    const ch = await c.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true });
    await ch.bindQueue(queue, exchange, '#');
    await ch.prefetch(256);
    await ch.consume(queue, (m: ConsumeMessage | null) => {
      if (!m) return;
      const messageId = String(m.properties.messageId);
      deliveries.push({ messageId, routingKey: m.fields.routingKey, body: m.content.toString(), at: Date.now() });
      ids.add(messageId);
      ch.ack(m);
    });
    conn = c;
    c.once('close', () => {
      conn = null;
      if (!closing) void reconnect();
    });
  };
  const reconnect = async () => {
    while (!closing && conn === null) {
      try {
        await connect();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  await connect();
  return {
    deliveries, ids,
    async close() {
      closing = true;
      const c: ChannelModel | null = conn;
      if (!c) return;
      try {
        const ch = await c.createChannel();
        await ch.deleteQueue(queue);
        await ch.deleteExchange(exchange);
      } catch { /* the broker may be gone already */ }
      await c.close().catch(() => undefined);
    },
  };
}
