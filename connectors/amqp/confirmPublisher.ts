/**
 * Publishes to one AMQP exchange over a confirm channel and reports, per message, whether the
 * broker confirmed it (and, with `mandatory`, routed it to a queue). Connects lazily and again
 * after a drop; the caller owns retry and backoff.
 */
import * as amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Logger } from '../../src/common/log.ts';
import { amqpSocketOptions, type AmqpTls } from './tls.ts';
import { dependency } from '../../src/common/dependencyHealth.ts';

const rabbitmq = dependency('rabbitmq');

export interface OutgoingMessage {
  routingKey: string;
  body: Buffer;
  /** Must include a messageId: returns (unroutable messages) are matched by it. */
  options: Options.Publish & { messageId: string };
}

/** confirmed = broker took responsibility; nacked / returned / channel-closed = publish again. */
export type PublishOutcome = 'confirmed' | 'nacked' | 'returned' | 'channel-closed';

export interface ConfirmPublisher {
  /** Opens the connection and declares the exchange now. Throws AmqpUnavailableError when it cannot. */
  connect(): Promise<void>;
  /** Publishes all messages, then waits for every confirm. Throws (retriable) when it cannot connect. */
  publish(messages: OutgoingMessage[]): Promise<PublishOutcome[]>;
  close(): Promise<void>;
  isConnected(): boolean;
}

/** Thrown when no channel could be opened; `retriable` is always true (the broker may come back). */
export class AmqpUnavailableError extends Error {
  readonly retriable = true;
  constructor(cause: unknown) {
    super(`AMQP unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'AmqpUnavailableError';
  }
}

interface Session {
  conn: ChannelModel;
  channel: ConfirmChannel;
  open: boolean;
  returned: Set<string>;
}

/** Creates a publisher for `exchange` (declared as a durable topic exchange on each connect). */
export function createConfirmPublisher(opts: {
  url: string; tls?: AmqpTls; exchange: string; mandatory: boolean; logger: Logger;
  /** Shown by RabbitMQ (management UI, `rabbitmqctl list_connections`) as the connection's name. */
  connectionName?: string;
}): ConfirmPublisher {
  const log = opts.logger;
  let session: Session | null = null;
  let connecting: Promise<Session> | null = null;
  let closed = false;

  async function connect(): Promise<Session> {
    const conn = await amqp.connect(opts.url, { ...amqpSocketOptions(opts.tls), ...(opts.connectionName ? { clientProperties: { connection_name: opts.connectionName } } : {}) });
    conn.on('error', (err: Error) => log.warn({ err }, 'AMQP connection error'));
    try {
      const channel = await conn.createConfirmChannel();
      const s: Session = { conn, channel, open: true, returned: new Set() };
      channel.on('error', (err: Error) => log.warn({ err }, 'AMQP confirm channel error'));
      const markClosed = (): void => {
        s.open = false;
        if (session === s) session = null;
        conn.close().catch(() => undefined);
      };
      channel.on('close', markClosed);
      conn.on('close', markClosed);
      channel.on('return', (msg: Message) => {
        const id = msg.properties.messageId;
        if (typeof id === 'string') s.returned.add(id);
        log.warn({ messageId: id, routingKey: msg.fields.routingKey }, 'notify event unroutable (returned); will retry');
      });
      await assertExchange(conn, channel);
      log.info({ exchange: opts.exchange }, 'AMQP confirm channel open');
      rabbitmq.success(log);
      return s;
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  }

  /** Durable topic exchange; an existing one with other properties is used as it is. */
  async function assertExchange(conn: ChannelModel, channel: ConfirmChannel): Promise<void> {
    const probe = await conn.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.assertExchange(opts.exchange, 'topic', { durable: true });
      await probe.close();
    } catch (err) {
      log.warn({ err, exchange: opts.exchange }, 'exchange exists with other properties; using it passively');
      await channel.checkExchange(opts.exchange);
    }
  }

  async function ensureSession(): Promise<Session> {
    if (closed) throw new AmqpUnavailableError(new Error('publisher closed'));
    if (session?.open) return session;
    connecting ??= connect().finally(() => {
      connecting = null;
    });
    try {
      session = await connecting;
      return session;
    } catch (err) {
      rabbitmq.failure(err, log); // the caller retries; dependency health logs the outage once
      throw new AmqpUnavailableError(err);
    }
  }

  function publishOne(s: Session, m: OutgoingMessage): Promise<PublishOutcome> {
    return new Promise<PublishOutcome>((resolve) => {
      try {
        s.channel.publish(opts.exchange, m.routingKey, m.body, { ...m.options, mandatory: opts.mandatory }, (err: unknown) => {
          if (err) resolve(s.open ? 'nacked' : 'channel-closed');
          // RabbitMQ sends basic.return before the basic.ack of an unroutable mandatory message.
          else if (s.returned.delete(m.options.messageId)) resolve('returned');
          else resolve('confirmed');
        });
      } catch {
        resolve('channel-closed'); // publish on a closed channel throws synchronously
      }
    });
  }

  return {
    async connect() {
      await ensureSession();
    },
    async publish(messages) {
      const s = await ensureSession();
      s.returned.clear();
      return Promise.all(messages.map((m) => publishOne(s, m)));
    },
    async close() {
      closed = true;
      const s = session ?? (connecting ? await connecting.catch(() => null) : null);
      session = null;
      if (s?.open) {
        s.open = false;
        await s.channel.close().catch(() => undefined);
        await s.conn.close().catch(() => undefined);
      }
    },
    isConnected: () => session?.open === true,
  };
}
