/**
 * Plays FS and the guest portal as real publishers: sends planned profiles to iga-stream's publisher
 * input over HTTP (in batches) or AMQP (one message each, publisher confirms), with the publisher's
 * token, signing them when given a key (FS signs its profiles). Returns what iga-stream answered.
 */
import type { KeyObject } from 'node:crypto';
import * as amqp from 'amqplib';
import { signCompactJws } from '../../src/common/jws.ts';
import type { PlannedSend } from './dataset.ts';

export interface PublisherTarget {
  /** The publisher input's base URL (`http://host:port`), for HTTP. */
  url?: string;
  /** RabbitMQ and the publish exchange, for AMQP. */
  amqp?: { url: string; exchange: string };
  tokens: Record<string, string>;
  /** Signing keys by publisher: a publisher with one signs every profile. */
  keys?: Record<string, { privateKey: KeyObject; kid: string }>;
}

export interface SendResult { messageId: string; status: number | 'confirmed'; error?: string }

function itemOf(send: PlannedSend, target: PublisherTarget): unknown {
  const key = target.keys?.[send.publisher];
  return key ? signCompactJws(JSON.stringify(send.profile), key.privateKey, key.kid) : send.profile;
}

/** Over HTTP, one request per send (a batch would rename the message ids `<id>#<i>`). */
export async function publishHttp(sends: readonly PlannedSend[], target: PublisherTarget): Promise<SendResult[]> {
  if (!target.url) throw new Error('publishHttp: no url');
  const results: SendResult[] = [];
  for (const s of sends) {
    const res = await fetch(`${target.url}/publish/${s.publisher}/profiles`, {
      method: 'POST', body: JSON.stringify(itemOf(s, target)),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.tokens[s.publisher] ?? ''}`, 'x-message-id': s.messageId },
    });
    const body = await res.json() as { error?: string };
    results.push({ messageId: s.messageId, status: res.status, ...(body.error ? { error: body.error } : {}) });
  }
  return results;
}

/** Over AMQP: routing key = publisher, token in `iga-token`, waits for the broker's confirms. */
export async function publishAmqp(sends: readonly PlannedSend[], target: PublisherTarget): Promise<SendResult[]> {
  if (!target.amqp) throw new Error('publishAmqp: no amqp target');
  const conn = await amqp.connect(target.amqp.url);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange(target.amqp.exchange, 'topic', { durable: true });
    for (const s of sends) {
      ch.publish(target.amqp.exchange, s.publisher, Buffer.from(JSON.stringify(itemOf(s, target))), {
        messageId: s.messageId, contentType: 'application/json', persistent: true, headers: { 'iga-token': target.tokens[s.publisher] ?? '' },
      });
    }
    await ch.waitForConfirms();
    return sends.map((s) => ({ messageId: s.messageId, status: 'confirmed' as const }));
  } finally {
    await conn.close();
  }
}
