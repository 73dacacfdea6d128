/**
 * The simulator publishes DFØ notifications to a real RabbitMQ exactly as DFØ does
 * (broker from IGA_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672; fails when it is down).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { startDfoSimulator, type DfoSimulator } from '../../../tools/dfo-simulator/server.ts';

const url = process.env.IGA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = `ex_from_dfo.test.${randomBytes(4).toString('hex')}`;

let conn: ChannelModel;
let ch: Channel;
let sim: DfoSimulator;
let queue: string;
const inbox: ConsumeMessage[] = [];
const waiters: Array<() => void> = [];

/** Resolves with the next message; rejects (a failure guard, not a timing assertion) after 10 s. */
function nextMessage(): Promise<ConsumeMessage> {
  return new Promise((resolve, reject) => {
    const take = () => resolve(inbox.shift()!);
    if (inbox.length > 0) return take();
    const timer = setTimeout(() => reject(new Error('no message arrived within 10 s')), 10_000);
    waiters.push(() => {
      clearTimeout(timer);
      take();
    });
  });
}

beforeAll(async () => {
  conn = await amqp.connect(url);
  ch = await conn.createChannel();
  sim = await startDfoSimulator({ amqp: { url, exchange }, today: () => '2026-03-01' });
  // The simulator declares the exchange on first publish; declare it the same way so the binding
  // exists first. A mismatch (not topic, not durable) fails here with PRECONDITION_FAILED.
  await ch.assertExchange(exchange, 'topic', { durable: true });
  ({ queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true }));
  await ch.bindQueue(queue, exchange, 'ansatte');
  await ch.bindQueue(queue, exchange, 'stillinger');
  await ch.bindQueue(queue, exchange, 'raw.#');
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    inbox.push(msg);
    waiters.shift()?.();
  }, { noAck: true });
});

afterAll(async () => {
  await sim?.close();
  await ch?.deleteExchange(exchange);
  await conn?.close();
});

describe('sim.publish', () => {
  test('lands on a queue bound to the exchange, byte for byte as DFØ sends it', async () => {
    const sent = await sim.publish('ansatte', '101926', { gyldigEtter: '20200823' });
    const msg = await nextMessage();
    assert.equal(msg.content.toString('utf8'), '{"firmakode":"9900","gyldigEtter":"20200823","id":"00101926","uri":"dfo:ansatte"}');
    assert.equal(msg.fields.exchange, exchange);
    assert.equal(msg.fields.routingKey, 'ansatte');
    assert.equal(msg.properties.contentType, 'application/octet-stream');
    assert.equal(msg.properties.deliveryMode, 2);
    assert.equal(msg.properties.messageId, sent.messageId);
    assert.match(sent.messageId, /^[0-9a-f-]{36}$/);
  });

  test('defaults and options: today as gyldigEtter, unpadded id, firmakode, content type', async () => {
    await sim.publish('stillinger', 30001233, { padId: false, firmakode: '3770', contentType: 'application/json' });
    const msg = await nextMessage();
    assert.equal(msg.fields.routingKey, 'stillinger');
    assert.deepEqual(JSON.parse(msg.content.toString()), { firmakode: '3770', gyldigEtter: '20260301', id: '30001233', uri: 'dfo:stillinger' });
    assert.equal(msg.properties.contentType, 'application/json');
  });

  test('upsert with notify publishes the change', async () => {
    await sim.upsertPosition({ id: '30000001', innehaver: [{ innehaverAnsattnr: '00100001', innehaverStartdato: '2020-01-01' }] }, { notify: true });
    const msg = await nextMessage();
    assert.equal(msg.fields.routingKey, 'stillinger');
    assert.equal(JSON.parse(msg.content.toString()).id, '30000001');
  });

  test('publishRaw sends malformed bytes untouched', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0x00]);
    await sim.publishRaw('raw.garbage', bytes);
    const msg = await nextMessage();
    assert.equal(msg.fields.routingKey, 'raw.garbage');
    assert.deepEqual(msg.content, bytes);
  });

  test('the control endpoint publishes too', async () => {
    const res = await fetch(new URL('/_sim/publish', sim.url), {
      method: 'POST',
      body: JSON.stringify({ kind: 'ansatte', id: '7', gyldigEtter: '20300101' }),
    });
    assert.equal(res.status, 202);
    const msg = await nextMessage();
    assert.equal(msg.content.toString(), '{"firmakode":"9900","gyldigEtter":"20300101","id":"00000007","uri":"dfo:ansatte"}');
  });
});
