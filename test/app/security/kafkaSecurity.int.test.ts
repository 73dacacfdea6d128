/**
 * TLS and SASL towards Kafka, on the test broker's SASL_SSL listener (scripts/kafka.sh): the whole
 * service over TLS with SASL PLAIN (a DFØ notification becomes an account and a notify event, so
 * the runtime, the replicas and both connectors connected), the runtime's clients with
 * SCRAM-SHA-512, and a wrong password that stops start-up with a clear error instead of hanging.
 * The listener's certificate comes from a test CA that no system trusts: success means our CA
 * file was used, with certificate checks on.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startService } from '../../../src/app/service.ts';
import { loadConfig } from '../../../src/app/config.ts';
import { makePolicy } from '../../../src/iga/policy.ts';
import { registerKafkaSecurity, type KafkaSecurity } from '../../../src/runtime/kafka/security.ts';
import { createKafka } from '../../../src/runtime/kafka/client.ts';
import { PartitionReader } from '../../../src/runtime/kafka/partitionReader.ts';
import { createTopicsAndWait } from '../../../src/runtime/kafka/createTopics.ts';
import { ansatt, startStack, stilling, type Stack } from '../../e2e/stack.ts';
import { eventually, kafkaSaslBroker, requireSaslListener, testCaFile, uniqueName } from '../../support/brokers.ts';

const log = pino({ level: 'silent' });
const OPEN = '9999-12-31';

describe('Kafka over TLS with SASL', () => {
  beforeAll(requireSaslListener);
  afterAll(() => registerKafkaSecurity([kafkaSaslBroker], { tls: null, sasl: null }));

  describe('the whole service with SASL PLAIN over TLS', () => {
    let s: Stack;
    beforeAll(async () => {
      s = await startStack({
        start: '2026-03-02T09:00:00Z',
        env: {
          IGA_KAFKA_BROKERS: kafkaSaslBroker, IGA_KAFKA_SSL_CA_FILE: testCaFile,
          IGA_KAFKA_SASL_MECHANISM: 'PLAIN', IGA_KAFKA_SASL_USERNAME: 'iga', IGA_KAFKA_SASL_PASSWORD: 'iga-secret',
        },
      });
    });
    afterAll(async () => { await s?.close(); });

    test('a DFØ notification becomes an account on SCIM and a CREATE notify event', async () => {
      assert.deepEqual(s.config.kafkaBrokers, [kafkaSaslBroker]);
      assert.equal(s.config.kafkaSecurity.sasl?.mechanism, 'plain');
      await s.sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
      await s.sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN]]), { notify: true });
      const user = await eventually('the account on SCIM', async () => {
        const r = await s.scim('/Users?filter=' + encodeURIComponent('userName sw "kar"'));
        return r.body.totalResults === 1 ? r.body.Resources[0] : undefined;
      }, 60_000);
      assert.equal(user.active, true);
      await eventually('the CREATE notify event on RabbitMQ', () => s.events.some((e) => e.body.type === 'CREATE' && e.body.resourceUris[0]?.endsWith(user.id)), 30_000);
    });
  });

  test('the runtime\'s clients with SCRAM-SHA-512: create a topic, write, read back committed records', async () => {
    const security: KafkaSecurity = { tls: { ca: readFileSync(testCaFile, 'utf8') }, sasl: { mechanism: 'scram-sha-512', username: 'iga-scram', password: 'iga-secret' } };
    registerKafkaSecurity([kafkaSaslBroker], security);
    const kafka = createKafka({ brokers: [kafkaSaslBroker], clientId: 'scram-test', log });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const reader = new PartitionReader(kafka);
    const topic = uniqueName('scram');
    try {
      await admin.connect();
      await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'over SCRAM and TLS' }] });
      const r = await reader.fetch(topic, 0, 0n);
      assert.deepEqual(r.records.map((m) => [m.key?.toString(), m.value?.toString()]), [['k', 'over SCRAM and TLS']]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await reader.close();
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  test('a wrong SASL password stops the service\'s start with an authentication error', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'iga-sasl-'));
    try {
      const config = loadConfig({
        IGA_KAFKA_BROKERS: kafkaSaslBroker, IGA_KAFKA_SSL_CA_FILE: testCaFile, IGA_APP_ID: uniqueName('sasl-wrong'), IGA_STATE_DIR: stateDir,
        IGA_KAFKA_SASL_MECHANISM: 'scram-sha-512', IGA_KAFKA_SASL_USERNAME: 'iga-scram', IGA_KAFKA_SASL_PASSWORD: 'not-the-password',
        IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0',
      });
      await assert.rejects(startService({ config, policy: makePolicy({}), log, without: ['ingress', 'egress', 'scim', 'admin'] }), /SASL SCRAM SHA512 authentication failed|authentication/i);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
