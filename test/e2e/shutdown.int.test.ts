/**
 * Graceful shutdown of `iga-stream run` as a real process: SIGTERM in the middle of a load
 * finishes the record in hand, commits, closes and exits 0 — and a restarted instance goes on
 * without losing or doubling anything. A second signal exits at once (130).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDfoSimulator, generateUniversity, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { expectedAccounts } from '../../tools/dfo-simulator/expectedAccounts.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { osloDate } from '../../src/iga/clock.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { amqpUrl, eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';
import { instance } from './chaos/instances.ts';
import { deleteTopicsWithPrefix, kafkaView, type KafkaView } from '../support/kafkaView.ts';

describe('graceful shutdown of the service process', () => {
  const appId = uniqueName('shutdown');
  const today = osloDate(new Date());
  const uni = generateUniversity({ seed: 7, employees: 400, positions: 320, today });
  let root: string;
  let sim: DfoSimulator;
  let view: KafkaView;
  const env = (name: string): Record<string, string> => ({
    IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: amqpUrl, IGA_AMQP_EXCHANGE_IN: `${appId}.in`, IGA_AMQP_EXCHANGE_OUT: `${appId}.out`,
    IGA_DFO_API_URL: sim.url, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1', IGA_APP_ID: appId, IGA_STATE_DIR: join(root, name),
    IGA_PARTITIONS: '3', IGA_COMMIT_INTERVAL_MS: '100', IGA_KAFKA_SESSION_TIMEOUT_MS: '6000', IGA_LOG_LEVEL: 'info',
  });

  beforeAll(async () => {
    await requireBrokers();
    root = await mkdtemp(join(tmpdir(), 'iga-shutdown-'));
    sim = await startDfoSimulator({ dataset: uni, amqp: { url: amqpUrl, exchange: `${appId}.in` } });
    view = await kafkaView(`${appId}-check`);
  });
  afterAll(async () => {
    await view?.close();
    await sim?.close();
    await deleteTopicsWithPrefix(appId);
    await rm(root, { recursive: true, force: true });
  });

  test('SIGTERM under load: commits, closes, exits 0; the restarted instance loses and doubles nothing', async () => {
    const topics = topicNames(appId);
    const node = instance('one', env('one'), root);
    await node.start();
    try {
      const ids = uni.positions.map((p) => String((p as { id: number | string }).id));
      for (const id of ids) await sim.publish('stillinger', id);
      // Stop while the load is being processed (some notify events out, not all positions done).
      await eventually('processing under way', async () => (await view.readTopic(topics.notify)).length > 0, 60_000, 100);
      const r = await node.stop('SIGTERM');
      assert.deepEqual(r, { code: 0, signal: null }, node.tail());
      assert.match(node.tail(200), /stream processing stopped/);
      assert.doesNotMatch(node.tail(200), /commit failed|closing task failed/);

      await node.start();
      await view.quiesce([
        { groupId: appId, topics: [topics.raw, topics.personEvents, topics.accountInputs, topics.usernameClaims] },
      ], 120_000);
      const accounts = new Map((await view.readTopic(topics.accounts)).map((a) => [a.key, a.value]));
      const eligible = [...expectedAccounts(uni, today, makePolicy({}))].filter(([, e]) => e.eligible).map(([id]) => id).sort();
      assert.deepEqual([...accounts.values()].filter((a) => a.active).map((a) => a.personId).sort(), eligible);
      const eventIds = (await view.readTopic(topics.notify)).map((n) => n.value.eventId);
      assert.equal(new Set(eventIds).size, eventIds.length, 'no notify event twice');
      assert.equal(eventIds.length, accounts.size);
    } finally {
      await node.stop('SIGKILL');
    }
  });

  test('SIGTERM during start-up: the service closes as soon as it is up and exits 0', async () => {
    const node = instance('three', { ...env('three'), IGA_APP_ID: `${appId}-early` }, root);
    const creatingTopics = node.nextLine('created topics'); // logged by the stream runtime before 'iga-stream started'
    const starting = node.start();
    await creatingTopics;
    const r = await node.stop('SIGTERM');
    await starting.catch(() => undefined); // it may exit before or after announcing the start
    assert.deepEqual(r, { code: 0, signal: null }, node.tail());
    assert.match(node.tail(200), /shutting down/);
    assert.match(node.tail(200), /stream processing stopped/);
  });

  test('a second signal exits at once (130)', async () => {
    const node = instance('two', env('two'), root);
    await node.start();
    // The second signal only after the first was handled (a pending signal and a new one of the same kind merge).
    const shuttingDown = node.nextLine('shutting down');
    const done = node.stop('SIGTERM');
    await Promise.race([shuttingDown, done]); // an exit without the line fails below, not by timeout
    node.signal('SIGTERM');
    const r = await done;
    assert.deepEqual(r, { code: 130, signal: null }, node.tail());
    assert.match(node.tail(50), /second signal: exiting at once/);
  });
});
