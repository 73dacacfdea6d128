/**
 * The publisher input answers 201 only once Kafka has the profiles: on the real broker, a raw topic
 * that Kafka does not take records for (it does not exist, and topics are never created by a
 * produce) keeps the request waiting until its deadline, then 503 with Retry-After; the same request
 * against the real topic is 201 with the record already readable.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootLogger } from '../../../src/common/log.ts';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import { parsePublishersFile } from '../../../src/topology/contracts/publishers.ts';
import { startDurableProducer, type DurableProducer } from '../../../connectors/publish/durableProducer.ts';
import { createPublishApp } from '../../../connectors/publish/http.ts';
import { DEFAULT_PUBLISH_LIMITS } from '../../../connectors/publish/records.ts';
import { collectTopic, createTopics, deleteTopics, KAFKA_BROKERS, unique, waitFor } from '../brokers.ts';
import { guestProfile, publishersFile } from '../../support/publishers.ts';

describe('publisher input: 201 only after Kafka has it (real broker)', () => {
  let producer: DurableProducer;
  const topic = unique('profiles.raw');
  const missing = unique('no-such-topic');
  const servers: Server[] = [];

  beforeAll(async () => {
    await createTopics([topic], 2);
    producer = await startDurableProducer({ kafka: { brokers: KAFKA_BROKERS, clientId: unique('publish') }, log: rootLogger, backoff: { initialMs: 50, maxMs: 200 } });
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await producer.close();
    await deleteTopics([topic]);
  });

  async function serve(rawTopic: string): Promise<string> {
    const app = createPublishApp({
      publishers: parsePublishersFile(publishersFile()), tokens: new TokenRegistry({ label: 'publish', tokens: 'guest-portal:guest-token-0123456789' }),
      producer, rawTopic, limits: DEFAULT_PUBLISH_LIMITS, maxRecordBytes: 900_000, kafkaDeadlineMs: 1_500, log: rootLogger,
    });
    const server = createServer(app.callback());
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const post = (url: string, messageId: string) => fetch(`${url}/publish/guest-portal/profiles`, {
    method: 'POST', body: JSON.stringify(guestProfile('g-1', '100001')),
    headers: { 'content-type': 'application/json', authorization: 'Bearer guest-token-0123456789', 'x-message-id': messageId },
  });

  test('Kafka not taking the records: no 201, but 503 with Retry-After once the deadline passes', async () => {
    const started = Date.now();
    const res = await post(await serve(missing), 'lost-1');
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.match((await res.json() as { error: string }).error, /nothing was stored, send again later/);
    assert.ok(Date.now() - started >= 1_000, 'it kept trying until the deadline');
  });

  test('Kafka taking them: 201, and the record is readable at once', async () => {
    const res = await post(await serve(topic), 'kept-1');
    assert.equal(res.status, 201);
    const reader = await collectTopic([topic]);
    try {
      const [m] = await waitFor('the record', () => reader.messages.length > 0 && reader.messages, 10_000);
      assert.equal(m!.headers!['iga-message-id']!.toString(), 'kept-1');
      assert.equal(m!.key!.toString(), 'guest-portal:g-1');
    } finally {
      await reader.stop();
    }
  });
});
