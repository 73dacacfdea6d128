/**
 * RabbitMQ ends of the benchmarks: publishing DFØ notifications the way DFØ does (through the
 * simulator's publisher, a window of unconfirmed messages at a time) and a capture queue on an out
 * exchange that counts what arrives and remembers when the last one came.
 */
import amqp from 'amqplib';
import { NotificationPublisher } from '../../tools/dfo-simulator/publisher.ts';

/** Publishes one `kind` notification per id; resolves when every one is confirmed. */
export async function publishNotifications(url: string, exchange: string, kind: 'stillinger' | 'ansatte', ids: Array<string | number>, onProgress?: (n: number) => void, window = 500): Promise<void> {
  const pub = new NotificationPublisher({ url, exchange });
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(new Date()).replaceAll('-', '');
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = String(ids[next++]).padStart(8, '0');
      await pub.publish(kind, Buffer.from(JSON.stringify({ firmakode: '9900', gyldigEtter: today, id, uri: `dfo:${kind}` })));
      onProgress?.(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: window }, worker));
  } finally {
    await pub.close();
  }
}

export interface Capture {
  readonly count: number;
  /** performance.now() of the last arrival. */
  readonly lastAt: number;
  readonly messageIds: Set<string>;
  /** Resolves once `n` messages arrived; rejects after `timeoutMs` without progress. */
  waitFor(n: number, onProgress?: (count: number) => void, stallMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Binds an exclusive queue to `exchange` (all routing keys) and counts arrivals: all of them, or
 * with `onlyType` only those whose AMQP `type` property is that (e.g. `scim.user.create`).
 */
export async function captureQueue(url: string, exchange: string, onlyType?: string): Promise<Capture> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, exchange, '#');
  await ch.prefetch(1000);
  const state = { count: 0, lastAt: 0, messageIds: new Set<string>() };
  await ch.consume(q.queue, (m) => {
    if (!m) return;
    ch.ack(m);
    if (onlyType !== undefined && m.properties.type !== onlyType) return;
    state.count++;
    state.lastAt = performance.now();
    if (m.properties.messageId) state.messageIds.add(String(m.properties.messageId));
  });
  return {
    get count() { return state.count; },
    get lastAt() { return state.lastAt; },
    messageIds: state.messageIds,
    async waitFor(n, onProgress, stallMs = 60_000) {
      let last = -1;
      let lastChange = Date.now();
      while (state.count < n) {
        await new Promise((r) => setTimeout(r, 200));
        onProgress?.(state.count);
        if (state.count !== last) { last = state.count; lastChange = Date.now(); }
        if (Date.now() - lastChange > stallMs) throw new Error(`capture on ${exchange} stalled at ${state.count}/${n} for ${stallMs / 1000} s`);
      }
      onProgress?.(state.count);
    },
    async close() { await ch.close().catch(() => undefined); await conn.close().catch(() => undefined); },
  };
}
