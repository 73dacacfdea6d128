/**
 * Publishes DFØ-style change notifications to RabbitMQ, as DFØ does: topic exchange `ex_from_dfo`
 * (durable), routing key `ansatte` / `stillinger`, persistent messages with a message id and
 * content type `application/octet-stream` (the AMQP default DFØ uses although the body is JSON).
 * Connects lazily on the first publish and waits for the broker's confirm of every message.
 */
import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { componentLogger } from '../../src/common/log.ts';

const log = componentLogger('dfo-simulator.amqp');

export interface PublisherOptions {
  url: string;
  exchange?: string;
}

export interface PublishProps {
  contentType?: string;
  messageId?: string;
}

export class NotificationPublisher {
  readonly exchange: string;
  readonly #url: string;
  #ready: Promise<{ conn: ChannelModel; ch: ConfirmChannel }> | null = null;

  constructor(opts: PublisherOptions) {
    this.#url = opts.url;
    this.exchange = opts.exchange ?? 'ex_from_dfo';
  }

  /**
   * Publishes raw bytes and resolves once the broker confirmed them.
   * @returns the message id used. Throws when the broker is unreachable or nacks.
   */
  async publish(routingKey: string, body: Buffer, props: PublishProps = {}): Promise<string> {
    const { ch } = await this.#channel();
    const messageId = props.messageId ?? randomUUID();
    await new Promise<void>((resolve, reject) => {
      ch.publish(
        this.exchange,
        routingKey,
        body,
        {
          persistent: true,
          messageId,
          contentType: props.contentType ?? 'application/octet-stream',
          timestamp: Math.floor(Date.now() / 1000),
        },
        (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
      );
    });
    log.debug({ exchange: this.exchange, routingKey, messageId }, 'published DFØ notification');
    return messageId;
  }

  /** Closes the channel and connection; safe to call when never connected. */
  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (!ready) return;
    try {
      const { conn } = await ready;
      await conn.close();
    } catch (err) {
      log.debug({ err }, 'closing AMQP connection failed (ignored)');
    }
  }

  #channel(): Promise<{ conn: ChannelModel; ch: ConfirmChannel }> {
    if (this.#ready) return this.#ready;
    const pending: Promise<{ conn: ChannelModel; ch: ConfirmChannel }> = (async () => {
      const conn = await amqp.connect(this.#url);
      conn.on('error', (err: unknown) => log.warn({ err }, 'AMQP connection error'));
      // A dropped connection is re-opened by the next publish.
      conn.on('close', () => {
        if (this.#ready === pending) this.#ready = null;
      });
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange(this.exchange, 'topic', { durable: true });
      return { conn, ch };
    })().catch((err: unknown) => {
      this.#ready = null;
      throw err;
    });
    this.#ready = pending;
    return pending;
  }
}
