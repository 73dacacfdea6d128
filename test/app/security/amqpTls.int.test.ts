/**
 * RabbitMQ over TLS with a private CA: the service's ingress and egress connect through a TLS
 * endpoint whose certificate comes from the test CA (which no system trusts), in front of the real
 * RabbitMQ. With IGA_AMQP_SSL_CA_FILE a notification becomes an account and a CREATE; without it
 * start-up stops with a certificate error instead of talking to an unverified broker.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startService } from '../../../src/app/service.ts';
import { loadConfig } from '../../../src/app/config.ts';
import { makePolicy } from '../../../src/iga/policy.ts';
import { ansatt, startStack, stilling, type Stack } from '../../e2e/stack.ts';
import { amqpUrl, eventually, kafkaBrokers, requireBrokers, testCaFile, uniqueName } from '../../support/brokers.ts';
import { startTlsProxy, type TlsProxy } from '../../support/tlsProxy.ts';

const rabbit = new URL(amqpUrl);
const tlsUrl = (port: number) => `amqps://${rabbit.username}:${rabbit.password}@127.0.0.1:${port}${rabbit.pathname === '/' ? '' : rabbit.pathname}`;

describe('RabbitMQ over TLS with a private CA', () => {
  let proxy: TlsProxy;
  beforeAll(async () => {
    await requireBrokers();
    proxy = await startTlsProxy({ host: rabbit.hostname, port: Number(rabbit.port || 5672) });
  });
  afterAll(async () => { await proxy?.close(); });

  test('with the CA file: ingress and egress connect over TLS; a notification becomes an account and a CREATE', async () => {
    let s: Stack | undefined;
    try {
      s = await startStack({ start: '2026-03-02T09:00:00Z', env: { IGA_AMQP_URL: tlsUrl(proxy.port), IGA_AMQP_SSL_CA_FILE: testCaFile } });
      assert.ok(proxy.sessions >= 2, `${proxy.sessions} TLS sessions (ingress and egress)`);
      await s.sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
      await s.sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', '9999-12-31']]), { notify: true });
      const user = await eventually('the account on SCIM', async () => {
        const r = await s!.scim('/Users?filter=' + encodeURIComponent('userName sw "kar"'));
        return r.body.totalResults === 1 ? r.body.Resources[0] : undefined;
      }, 60_000);
      await eventually('the CREATE notify event, published over TLS', () => s!.events.some((e) => e.body.type === 'CREATE' && e.body.resourceUris[0]?.endsWith(user.id)), 30_000);
    } finally {
      await s?.close();
    }
  });

  test('without the CA file the broker\'s certificate is not trusted and start-up stops', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'iga-amqps-'));
    try {
      const config = loadConfig({
        IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: tlsUrl(proxy.port), IGA_APP_ID: uniqueName('amqps-untrusted'),
        IGA_STATE_DIR: stateDir, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0',
      });
      await assert.rejects(
        startService({ config, policy: makePolicy({}), log: pino({ level: 'silent' }), without: ['egress', 'scim', 'admin'] }),
        /certificate/i,
      );
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
