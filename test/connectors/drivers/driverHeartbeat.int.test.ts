/**
 * The driver framework on the real broker and the real Keycloak, made slow by a proxy of the
 * test's own: one batch of changes that takes several times the group's session timeout (each
 * change a few Keycloak round trips of 300 ms) is applied once and committed. The driver must
 * heartbeat between changes; before it did, the group dropped the member mid-batch, the commit was
 * refused and the batch was done again from the start, endlessly (the chaos test's drivers took
 * minutes to catch up on a loaded machine).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createKeycloakDestination } from '../../../connectors/drivers/keycloak/index.ts';
import { startDriver, type Driver } from '../../../connectors/drivers/framework/driver.ts';
import { driverMetrics } from '../../../connectors/drivers/framework/metrics.ts';
import { startStatusWriter, type StatusWriter } from '../../../connectors/drivers/framework/statusWriter.ts';
import type { NotifyRecord } from '../../../src/topology/contracts/notify.ts';
import { KAFKA_BROKERS, committedOffset, createTopics, deleteGroups, deleteTopics, produce, unique, waitFor } from '../brokers.ts';
import { startHttpFaultProxy, type HttpFaultProxy } from '../../support/httpFaultProxy.ts';
import { DRIVER_CLIENT_ID, deleteUsers, driverSecretFile, keycloakRealm, keycloakUrl, requireKeycloak } from '../../support/keycloakServer.ts';

const CHANGES = 40;
const SESSION_TIMEOUT_MS = 6_000; // the broker's least (group.min.session.timeout.ms)
const run = `hb${randomBytes(3).toString('hex')}`;

function record(i: number): NotifyRecord {
  const id = randomUUID();
  const account = {
    id, personId: String(200_000 + i), userName: `${run}u${i}@uib.no`, active: true, givenName: 'Kari', familyName: `Nordmann${i}`, displayName: `Kari Nordmann${i}`,
    employeeNumber: String(200_000 + i), created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version: 1,
  };
  return { eventId: `${id}:v1`, type: 'CREATE', accountId: id, resourceUri: `https://iga.test/scim/v2/Users/${id}`, occurredAt: new Date().toISOString(), account, cause: { kind: 'stillinger', id: String(i), messageId: `m-${i}` } };
}

describe('a driver whose batch outlasts the session timeout', () => {
  const notifyTopic = unique('hb-notify');
  const statusTopic = unique('hb-status');
  const group = unique('hb-driver');
  let proxy: HttpFaultProxy;
  let status: StatusWriter;
  let driver: Driver | undefined;

  beforeAll(async () => {
    await requireKeycloak();
    await createTopics([notifyTopic, statusTopic]);
    proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: Number(new URL(keycloakUrl).port) });
    status = await startStatusWriter({ kafka: { brokers: KAFKA_BROKERS, clientId: 'hb-status' }, topic: statusTopic, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await driver?.stop();
    await status?.close();
    await proxy?.close();
    await deleteUsers(run).catch(() => undefined);
    await deleteGroups([group]).catch(() => undefined);
    await deleteTopics([notifyTopic, statusTopic]).catch(() => undefined);
  });

  test('applies every change once and commits, heartbeating through the batch', async () => {
    // One partition, every change there before the driver starts: a single batch of them all.
    await produce(notifyTopic, Array.from({ length: CHANGES }, (_, i) => record(i)).map((r) => ({ key: r.accountId, value: JSON.stringify(r) })));
    proxy.fail({ delayMs: 300 });
    const destination = createKeycloakDestination(
      { url: proxy.url, realm: keycloakRealm, clientId: DRIVER_CLIENT_ID, clientSecret: readFileSync(driverSecretFile, 'utf8').trim() },
      { log: pino({ level: 'silent' }) },
    );
    driver = await startDriver({
      destination, notifyTopic, status, metrics: driverMetrics(), affiliations: ['employee', 'member'],
      retry: { initialMs: 100, maxMs: 1_000 }, retryingTagEveryMs: 10_000,
      kafka: { brokers: KAFKA_BROKERS, clientId: 'hb-driver', groupId: group, sessionTimeoutMs: SESSION_TIMEOUT_MS },
      log: pino({ level: 'silent' }),
    });
    const started = Date.now();
    await waitFor('every change committed', async () => (await committedOffset(group, notifyTopic)) === String(CHANGES) || undefined, 180_000);
    const took = Date.now() - started;
    const stats = driver.stats();
    // The batch really was longer than a session (else this test proves nothing) …
    assert.ok(took > 2 * SESSION_TIMEOUT_MS, `the batch took ${took} ms; it must outlast the session timeout for this test to mean anything`);
    // … and was done once: no change applied twice or found already written by a redone batch.
    assert.deepEqual({ applied: stats.applied, unchanged: stats.unchanged, failed: stats.failed }, { applied: CHANGES, unchanged: 0, failed: 0 });
    await destination.close();
  }, 240_000);
});
