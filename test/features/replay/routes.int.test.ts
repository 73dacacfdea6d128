/**
 * The rebuild/reprocess admin routes around the operations: one operation at a time per instance
 * (409 meanwhile), 503 while stream processing does not run, 400 for a bad `from`. A stand-in for
 * the StreamsApp holds the rebuild open; the rebuild's Kafka admin client talks to the real broker.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import { replayRoutes } from '../../../src/features/replay/routes.ts';
import type { StreamsApp } from '../../../src/runtime/index.ts';
import { kafkaBrokers, requireBrokers, uniqueName } from '../../support/brokers.ts';

const TOKEN = 'replay-admin-token-0123456789';

describe('rebuild and reprocess routes', () => {
  let url: string;
  let server: Server;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const streams: { state: string; taskIds: () => string[]; visitTasks: () => Promise<void> } = { state: 'running', taskIds: () => [], visitTasks: async () => { await gate; } };
  const call = (method: string, path: string, body?: unknown) => fetch(`${url}/admin${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

  beforeAll(async () => {
    await requireBrokers();
    const app = createAdminApp({
      log: pino({ level: 'silent' }), readiness: () => ({}), tokens: new TokenRegistry({ label: 'admin', tokens: `ops:${TOKEN}` }),
      routes: [replayRoutes({ streams: streams as unknown as StreamsApp, appId: uniqueName('routes'), brokers: kafkaBrokers, instanceId: 'n1', log: pino({ level: 'silent' }) })],
    });
    server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    release();
    await new Promise((r) => { server.close(r); server.closeAllConnections(); });
  });

  test('a bad from is 400 naming the field; an unknown field too', async () => {
    const bad = await call('POST', '/reprocess', { from: 'last tuesday' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as any).error, /^from: /);
    assert.equal((await call('POST', '/reprocess', {})).status, 400);
    assert.equal((await call('POST', '/reprocess', { from: 0, topic: 'x' })).status, 400);
    const notJson = await fetch(`${url}/admin/reprocess`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{' });
    assert.equal(notJson.status, 400);
  });

  test('while a rebuild runs, another rebuild or a reprocess is 409; afterwards the rebuild ends with its summary', async () => {
    const first = await call('POST', '/rebuild');
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /ndjson/);
    const again = await call('POST', '/rebuild');
    assert.equal(again.status, 409);
    assert.match(((await again.json()) as any).error, /rebuild is running on this instance/);
    assert.equal((await call('POST', '/reprocess', { from: 0 })).status, 409);
    release();
    const lines = (await first.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.at(-1), { type: 'done', instance: 'n1', tasks: 0, stores: 0, records: 0, ms: lines.at(-1).ms, digests: [] });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /iga_replay_operations_total\{operation="rebuild",outcome="done"\} [1-9]/);
    // Free again: the next one may start (it is refused for another reason here: streams stopped).
    streams.state = 'stopped';
    const stopped = await call('POST', '/rebuild');
    assert.equal(stopped.status, 503);
    assert.match(((await stopped.json()) as any).error, /stream processing is stopped/);
  });
});
