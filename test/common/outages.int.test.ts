/**
 * Outages of real brokers, caused without touching the shared ones: the connectors and KafkaJS
 * clients reach RabbitMQ and Kafka through a TCP proxy of the test's own (test/support/tcpProxy.ts)
 * that is stopped (connection refused) and started again. Every failure is reported instead of
 * logged: the log shows one down line, summaries, one back line, and `iga_dependency_up` flips.
 */
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChannelModel } from 'amqplib';
import { pino, type Logger } from 'pino';
import { register } from 'prom-client';
import { startIngress } from '../../connectors/ingress/ingress.ts';
import { startEgress } from '../../connectors/egress/egress.ts';
import { CONNECTOR_RETRY, createKafka } from '../../src/runtime/kafka/client.ts';
import { dependencyHealth } from '../../src/common/dependencyHealth.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.ts';
import { AMQP_URL, KAFKA_BROKERS, amqpConnect, collectQueue, createTopics, deleteGroups, deleteTopics, produce, unique, waitFor } from '../connectors/brokers.ts';

interface Line { level: number; msg: string; component?: string; failures?: number; sources?: Record<string, number> }

const SUMMARY_EVERY_MS = 1_500;

function capture(): { lines: Line[]; log: (component: string) => Logger } {
  const lines: Line[] = [];
  const root = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  return { lines, log: (component) => root.child({ component }) };
}

async function upGauge(dependency: string): Promise<number | undefined> {
  const metric = register.getSingleMetric('iga_dependency_up');
  return (await metric?.get())?.values.find((v) => v.labels.dependency === dependency)?.value;
}

/** The kinds of the warn+ and outage lines: 'down', 'summary', 'back', or the message itself. */
function kinds(lines: Line[], label: string): string[] {
  return lines
    .filter((l) => l.level >= 40 || l.msg.startsWith(`${label} is back`))
    .map((l) => (l.msg.startsWith(`${label} is down: `) ? 'down' : l.msg.startsWith(`${label} still down after `) ? 'summary' : l.msg.startsWith(`${label} is back after `) ? 'back' : l.msg));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dependency outages of real brokers', () => {
  let conn: ChannelModel;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    dependencyHealth.configure({ summaryEveryMs: SUMMARY_EVERY_MS });
    conn = await amqpConnect();
  });
  // Each test's clients stop with it: a client left running reports the real broker as answering
  // (on its own logger), which would end the next test's Kafka outage behind that test's back.
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(async () => {
    await conn.close();
    dependencyHealth.configure({ summaryEveryMs: 30_000 });
  });

  test('RabbitMQ goes away under the ingress and the egress: one down line, summaries, one back line; nothing lost', async () => {
    const amqp = new URL(AMQP_URL);
    const proxy: TcpProxy = await startTcpProxy({ host: amqp.hostname, port: Number(amqp.port || 5672) });
    cleanup.push(() => proxy.close());
    const viaProxy = Object.assign(new URL(AMQP_URL), { port: String(proxy.port) }).toString();
    const { lines, log } = capture();
    const names = { exIn: unique('ex_from_dfo'), queue: unique('iga.dfo-in'), raw: unique('dfo.events'), dlq: unique('iga.dlq'), exOut: unique('ex_from_iga'), notify: unique('iga.notify'), group: unique('egress') };
    await createTopics([names.raw, names.dlq, names.notify]);
    const ch = await conn.createChannel();
    await ch.assertExchange(names.exOut, 'topic', { durable: true });
    const { queue: out } = await ch.assertQueue(unique('scim-events'), { durable: false, autoDelete: true });
    await ch.bindQueue(out, names.exOut, '#');
    const received = await collectQueue(conn, out);
    cleanup.push(async () => {
      await ch.deleteQueue(names.queue).catch(() => undefined);
      await ch.deleteExchange(names.exIn).catch(() => undefined);
      await ch.deleteExchange(names.exOut).catch(() => undefined);
      await deleteTopics([names.raw, names.dlq, names.notify]);
      await deleteGroups([names.group]);
    });
    const backoff = { initialMs: 50, maxMs: 300 };
    const ingress = await startIngress({
      amqpUrl: viaProxy, exchange: names.exIn, queue: names.queue, kafka: { brokers: KAFKA_BROKERS, clientId: unique('ingress') },
      rawTopic: names.raw, dlqTopic: names.dlq, backoff, logger: log('ingress'),
    });
    cleanup.push(() => ingress.stop());
    const egress = await startEgress({
      amqpUrl: viaProxy, exchange: names.exOut, kafka: { brokers: KAFKA_BROKERS, clientId: unique('egress'), groupId: names.group },
      notifyTopic: names.notify, backoff, logger: log('egress'),
    });
    cleanup.push(() => egress.stop());
    const notify = (n: number) => produce(names.notify, [{ key: `acc-${n}`, value: JSON.stringify({ eventId: `acc-${n}:v1`, type: 'CREATE', accountId: `acc-${n}`, resourceUri: `https://gw/Users/acc-${n}`, occurredAt: '2026-03-01T12:00:00.000Z' }) }]);
    const dfoMessage = (id: string) => ch.publish(names.exIn, 'ansatte', Buffer.from(JSON.stringify({ id, uri: 'dfo:ansatte', gyldigEtter: '20300101' })));

    dfoMessage('101');
    await notify(1);
    await waitFor('the first message through both connectors', () => ingress.stats().accepted === 1 && received.length === 1);
    assert.equal(await upGauge('rabbitmq'), 1);
    const before = lines.length;

    await proxy.stop();
    await waitFor('the rabbitmq gauge to drop', async () => (await upGauge('rabbitmq')) === 0);
    dfoMessage('102'); // waits in RabbitMQ's queue
    await notify(2); // waits in Kafka for the egress
    // Stay away long enough for several reconnect and publish attempts and a few summaries.
    await pause(5_000);
    const reconnects = ingress.stats().reconnects;
    const publishRetries = egress.stats().retries;
    assert.ok(reconnects >= 5, `the ingress tried to reconnect (${reconnects})`);
    assert.ok(publishRetries >= 3, `the egress tried to publish (${publishRetries})`);
    assert.equal(await upGauge('rabbitmq'), 0);

    await proxy.start();
    await waitFor('both messages of the outage through', () => ingress.stats().accepted === 2 && received.length === 2);
    await waitFor('the rabbitmq gauge to rise', async () => (await upGauge('rabbitmq')) === 1);

    const window = lines.slice(before);
    const seen = kinds(window, 'RabbitMQ');
    // A connection that drops says so once (amqplib's error and close); the retries say nothing.
    const drops = seen.filter((k) => ['AMQP connection error', 'AMQP connection closed; reconnecting', 'AMQP confirm channel error'].includes(k));
    const outage = seen.filter((k) => !drops.includes(k));
    const summaries = outage.filter((k) => k === 'summary').length;
    assert.deepEqual(outage, ['down', ...Array(summaries).fill('summary'), 'back'], `outage lines: ${JSON.stringify(window.filter((l) => l.level >= 40).map((l) => l.msg))}`);
    assert.ok(summaries >= 2, `a summary at most every ${SUMMARY_EVERY_MS} ms over 5 s (got ${summaries})`);
    assert.ok(drops.length <= 4, `drop lines: ${drops.join(' | ')}`);
    const sources = Object.assign({}, ...window.filter((l) => l.sources).map((l) => l.sources)) as Record<string, number>;
    assert.deepEqual(Object.keys(sources).sort(), ['egress', 'ingress'], 'the summaries name both components');
    const back = window.find((l) => l.msg.startsWith('RabbitMQ is back after '))!;
    assert.ok(back.failures! >= reconnects - 1 + publishRetries - 1, `the back line counts the failures (${back.failures})`);
    assert.equal(window.filter((l) => l.msg === 'AMQP reconnect failed' && l.level < 40).length >= reconnects - 1, true, 'each attempt is still at debug');
  });

  test('Kafka refuses every client (admin, producer, consumer): one down line, summaries, one back line instead of KafkaJS errors', async () => {
    const [host, port] = KAFKA_BROKERS[0]!.split(':');
    const proxy = await startTcpProxy({ host: host!, port: Number(port) }, { stopped: true });
    cleanup.push(() => proxy.close());
    const { lines, log } = capture();
    const brokers = [`127.0.0.1:${proxy.port}`];
    const admin = createKafka({ brokers, clientId: unique('admin'), retry: CONNECTOR_RETRY, log: log('admin-probe') }).admin();
    const producer = createKafka({ brokers, clientId: unique('producer'), retry: CONNECTOR_RETRY, log: log('producer-probe') }).producer();
    const consumer = createKafka({ brokers, clientId: unique('consumer'), retry: CONNECTOR_RETRY, log: log('consumer-probe') }).consumer({ groupId: unique('probe') });
    cleanup.push(() => Promise.all([admin.disconnect(), producer.disconnect(), consumer.disconnect()]));
    let attempts = 0;
    const keepConnecting = async (client: { connect(): Promise<void> }) => {
      for (;;) {
        try {
          await client.connect();
          return;
        } catch {
          attempts++; // KafkaJS gave up after its own retries; try again as our connectors do
          await pause(100);
        }
      }
    };
    const connected = Promise.all([admin, producer, consumer].map(keepConnecting));
    await waitFor('the kafka gauge to drop', async () => (await upGauge('kafka')) === 0);
    await pause(5_000);
    assert.equal(await upGauge('kafka'), 0);

    await proxy.start();
    await connected;
    await admin.listTopics(); // the cluster answers through the new connections
    await waitFor('the kafka gauge to rise', async () => (await upGauge('kafka')) === 1);

    const seen = kinds(lines, 'Kafka');
    const summaries = seen.filter((k) => k === 'summary').length;
    assert.deepEqual(seen, ['down', ...Array(summaries).fill('summary'), 'back'], `warn+ lines: ${JSON.stringify(lines.filter((l) => l.level >= 40).map((l) => l.msg))}`);
    assert.ok(summaries >= 2, `a summary at most every ${SUMMARY_EVERY_MS} ms over 5 s (got ${summaries})`);
    assert.equal(lines.find((l) => l.level >= 40)!.msg, `Kafka is down: Connection error: connect ECONNREFUSED 127.0.0.1:${proxy.port}`);
    const sources = Object.assign({}, ...lines.filter((l) => l.sources).map((l) => l.sources)) as Record<string, number>;
    assert.deepEqual(Object.keys(sources).sort(), ['admin-probe', 'consumer-probe', 'producer-probe'], 'the summaries name every client');
    const folded = lines.filter((l) => l.level === 20 && /Connection error: connect ECONNREFUSED/.test(l.msg)).length;
    assert.ok(folded >= 20 && attempts >= 3, `many refused connections (${folded} KafkaJS entries, ${attempts} connect() calls given up) behind the few lines`);
    assert.ok(lines.find((l) => l.msg.startsWith('Kafka is back after '))!.failures! >= folded);
  });
});
