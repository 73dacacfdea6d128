/**
 * A reconnecting AMQP consumer: declares a durable topic exchange and a durable queue bound with
 * each routing key, consumes with manual acks and bounded prefetch, and reconnects with backoff
 * when the connection or channel drops. Deliveries carry the channel they arrived on, because an
 * ack is only valid on that channel (after a reconnect RabbitMQ redelivers unacked messages).
 *
 * One supervisor loop owns the connection: connect, wait until that session closes, reconnect.
 * Each session's `closed` promise is made before anything else can happen on it, so a close that
 * comes during start-up is never missed (a missed close would leave the consumer on a dead
 * connection with nobody reconnecting).
 */
import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../../src/common/log.ts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { amqpSocketOptions, type AmqpTls } from './tls.ts';
import { dependency } from '../../src/common/dependencyHealth.ts';

const rabbitmq = dependency('rabbitmq');

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
  /** Shown by RabbitMQ (management UI, `rabbitmqctl list_connections`) as the connection's name. */
  connectionName?: string;
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
  /** Drops the current connection (its unacked deliveries return to the queue) and reconnects. */
  recycle(reason: string): void;
  /** Messages ready in the queue (not delivered to any consumer), or null when it cannot be asked now. */
  queueDepth(): Promise<number | null>;
  isConnected(): boolean;
}

interface Session {
  conn: ChannelModel;
  handle: ChannelHandle;
  consumerTag: string;
  /** Resolves once the channel or the connection has closed (the connection is then closed too). */
  closed: Promise<void>;
}

/**
 * Connects and starts consuming. Throws when the first connection or declaration fails (so a
 * wrong URL or permission stops start-up); afterwards drops are retried forever with backoff.
 */
export async function startAmqpConsumer(opts: AmqpConsumerOptions): Promise<AmqpConsumer> {
  const log = opts.logger;
  let closing = false;
  let generation = 0;
  let current: Session | null = null;
  const abort = new AbortController();

  async function connectOnce(): Promise<Session> {
    const clientProperties = opts.connectionName ? { clientProperties: { connection_name: opts.connectionName } } : {};
    const conn = await amqp.connect(opts.url, { ...amqpSocketOptions(opts.tls), ...clientProperties });
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    conn.on('error', (err: Error) => log.warn({ err }, 'AMQP connection error'));
    conn.on('close', () => markClosed());
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
        conn.close().catch(() => undefined);
        markClosed();
      });
      conn.on('close', () => {
        if (!handle.open) return;
        handle.open = false;
        opts.onChannelClosed(handle);
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
      log.info({ exchange: opts.exchange, queue: opts.queue, routingKeys: opts.routingKeys, generation }, 'AMQP consumer started');
      return { conn, handle, consumerTag, closed };
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

  /** Keeps one session alive until close(): waits for the current one to end, then reconnects. */
  async function supervise(first: Session): Promise<void> {
    let session: Session | null = first;
    for (let attempt = 0; !closing; ) {
      if (session) {
        current = session;
        await session.closed;
        if (current === session) current = null;
        session = null;
        if (closing) return;
        log.warn('AMQP connection closed; reconnecting');
        attempt = 1;
      }
      await sleep(backoffDelay(attempt, opts.backoff), abort.signal);
      if (closing) return;
      opts.onReconnectAttempt?.();
      try {
        session = await connectOnce();
        if (closing) {
          await session.conn.close().catch(() => undefined); // close() ran while we were connecting
          return;
        }
        rabbitmq.success(log);
        log.info({ attempt }, 'AMQP reconnected');
      } catch (err) {
        // One line per outage (dependency health), not one per attempt.
        rabbitmq.failure(err, log);
        log.debug({ err, attempt }, 'AMQP reconnect failed');
        attempt++;
      }
    }
  }

  const first = await connectOnce();
  current = first;
  const supervisor = supervise(first);

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
      await supervisor;
    },
    recycle(reason) {
      const c = current;
      if (!c || closing) return;
      log.warn({ reason, generation: c.handle.generation }, 'AMQP connection recycled; unacked deliveries return to the queue');
      c.conn.close().catch(() => undefined);
    },
    async queueDepth() {
      const c = current;
      if (!c || !c.handle.open) return null;
      let ch: Channel | null = null;
      try {
        ch = await c.conn.createChannel();
        ch.on('error', () => undefined);
        return (await ch.checkQueue(opts.queue)).messageCount;
      } catch {
        return null;
      } finally {
        await ch?.close().catch(() => undefined);
      }
    },
    isConnected: () => current !== null && current.handle.open,
  };
}
