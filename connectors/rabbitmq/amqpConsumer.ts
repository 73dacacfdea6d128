/**
 * A reconnecting AMQP consumer: declares a durable topic exchange and a durable queue bound with
 * each routing key, consumes with manual acks and bounded prefetch, and reconnects with backoff
 * when the connection or channel drops. Deliveries carry the channel they arrived on, because an
 * ack is only valid on that channel (after a reconnect RabbitMQ redelivers unacked messages).
 */
import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../../src/log.ts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { amqpSocketOptions, type AmqpTls } from './amqpTls.ts';

/** One channel generation; `open` turns false for good when the channel or its connection closes. */
export interface ChannelHandle {
  readonly channel: Channel;
  readonly generation: number;
  open: boolean;
}

export interface AmqpConsumerOptions {
  url: string;
  /** For an `amqps://` URL: a private CA, a client certificate. */
  tls?: AmqpTls;
  exchange: string;
  queue: string;
  routingKeys: string[];
  prefetch: number;
  /** Extra queue arguments, e.g. `{ 'x-queue-type': 'quorum' }`. */
  queueArguments?: Record<string, unknown>;
  backoff?: BackoffOptions;
  logger: Logger;
  onDelivery(msg: ConsumeMessage, handle: ChannelHandle): void;
  /** Called when a channel closes; its unacked deliveries will be redelivered on a new one. */
  onChannelClosed(handle: ChannelHandle): void;
  onReconnectAttempt?(): void;
}

export interface AmqpConsumer {
  /** Stops receiving new deliveries (cancels the consumer); unacked ones can still be acked. */
  cancel(): Promise<void>;
  /** Closes channel and connection; unacked deliveries return to the queue. */
  close(): Promise<void>;
  isConnected(): boolean;
}

/**
 * Connects and starts consuming. Throws when the first connection or declaration fails (so a
 * wrong URL or permission stops start-up); afterwards drops are retried forever with backoff.
 */
export async function startAmqpConsumer(opts: AmqpConsumerOptions): Promise<AmqpConsumer> {
  const log = opts.logger;
  let closing = false;
  let generation = 0;
  let current: { conn: ChannelModel; handle: ChannelHandle; consumerTag: string } | null = null;
  const abort = new AbortController();

  async function connectOnce(): Promise<void> {
    const conn = await amqp.connect(opts.url, amqpSocketOptions(opts.tls));
    conn.on('error', (err: Error) => log.warn({ err }, 'AMQP connection error'));
    try {
      await declareTopology(conn);
      const channel = await conn.createChannel();
      const handle: ChannelHandle = { channel, generation: ++generation, open: true };
      channel.on('error', (err: Error) => log.warn({ err }, 'AMQP channel error'));
      channel.on('close', () => {
        if (!handle.open) return;
        handle.open = false;
        opts.onChannelClosed(handle);
        // A channel can die alone (e.g. queue deleted); recycle the whole connection to recover.
        if (!closing) conn.close().catch(() => undefined);
      });
      conn.on('close', () => {
        if (current?.conn === conn) current = null;
        if (!closing) {
          log.warn('AMQP connection closed; reconnecting');
          void reconnectForever();
        }
      });
      await channel.prefetch(opts.prefetch);
      const { consumerTag } = await channel.consume(
        opts.queue,
        (msg) => {
          if (msg === null) {
            log.warn({ queue: opts.queue }, 'consumer cancelled by the broker; reconnecting');
            channel.close().catch(() => undefined);
            return;
          }
          opts.onDelivery(msg, handle);
        },
        { noAck: false },
      );
      if (closing) {
        // close() ran while we were connecting: leave nothing open behind it.
        await conn.close().catch(() => undefined);
        return;
      }
      current = { conn, handle, consumerTag };
      log.info({ exchange: opts.exchange, queue: opts.queue, routingKeys: opts.routingKeys, generation }, 'AMQP consumer started');
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /** Asserts exchange, queue and bindings; tolerates an existing exchange declared differently. */
  async function declareTopology(conn: ChannelModel): Promise<void> {
    let ch = await conn.createChannel();
    ch.on('error', () => undefined);
    try {
      await ch.assertExchange(opts.exchange, 'topic', { durable: true });
    } catch (err) {
      // 406 PRECONDITION_FAILED closed the channel: the exchange exists with other settings; use it as is.
      log.warn({ err, exchange: opts.exchange }, 'exchange exists with other properties; using it passively');
      ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.checkExchange(opts.exchange);
    }
    await ch.assertQueue(opts.queue, { durable: true, arguments: opts.queueArguments ?? {} });
    for (const key of opts.routingKeys) await ch.bindQueue(opts.queue, opts.exchange, key);
    await ch.close();
  }

  let reconnecting = false;
  async function reconnectForever(): Promise<void> {
    if (reconnecting) return;
    reconnecting = true;
    try {
      for (let attempt = 1; !closing; attempt++) {
        await sleep(backoffDelay(attempt, opts.backoff), abort.signal);
        if (closing) return;
        opts.onReconnectAttempt?.();
        try {
          await connectOnce();
          log.info({ attempt }, 'AMQP reconnected');
          return;
        } catch (err) {
          log.warn({ err, attempt }, 'AMQP reconnect failed');
        }
      }
    } finally {
      reconnecting = false;
    }
  }

  await connectOnce();

  return {
    async cancel() {
      closing = true;
      abort.abort();
      const c = current;
      if (c?.handle.open) await c.handle.channel.cancel(c.consumerTag).catch((err: unknown) => log.warn({ err }, 'cancel failed'));
    },
    async close() {
      closing = true;
      abort.abort();
      const c = current;
      current = null;
      if (c) await c.conn.close().catch(() => undefined);
    },
    isConnected: () => current !== null && current.handle.open,
  };
}
