/**
 * The explain routes over in-memory stores (the broker-backed replicas are covered by
 * test/streams/replicaStore.int.test.ts and test/e2e/lifecycle.int.test.ts): readiness, input
 * validation, lookups, old (v1) audit records, and the text rendering of the answers.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import { renderExplanation, renderUpcoming, summariseDfoResponse, table } from '../../../src/cli/commands/explainReport.ts';
import { auditIndexKey, type ExplainReplicas } from '../../../src/features/explain/replicas.ts';
import { explainRoutes } from '../../../src/features/explain/routes.ts';
import { osloMidnightUtc } from '../../../src/iga/clock.ts';
import { makePolicy } from '../../../src/iga/policy.ts';
import { AccountIndex } from '../../../src/scim/accountIndex.ts';
import { prefixRange, type ReadOnlyKeyValueStore } from '../../../src/stores/keyValueStore.ts';
import { MemoryBytesStore } from '../../../src/stores/memoryBytesStore.ts';
import type { TopicRecordReader } from '../../../src/runtime/index.ts';
import { account, aff, employee } from '../../iga/accountFixtures.ts';

const TOKEN = 'ops-token-0123456789';

function view<V>(store: MemoryBytesStore): ReadOnlyKeyValueStore<V> {
  return {
    name: store.name,
    get: async (k) => { const b = await store.get(k); return b === undefined ? undefined : (JSON.parse(b.toString()) as V); },
    async *range(r = {}) { for await (const [k, b] of store.iterate(r)) yield [k, JSON.parse(b.toString()) as V]; },
  };
}
const put = (store: MemoryBytesStore, key: string, value: unknown) => store.write([[key, Buffer.from(JSON.stringify(value))]]);

describe('explain routes', () => {
  const persons = new MemoryBytesStore('persons');
  const timers = new MemoryBytesStore('timers');
  const audit = new MemoryBytesStore('audit-index');
  const index = new AccountIndex();
  let ready = false;
  let url: string;
  let server: Server;
  const replicas: ExplainReplicas = {
    persons: view(persons), timers: view(timers), audit: view(audit),
    raw: { read: async () => ({ found: false, reason: 'not used' }) } as unknown as TopicRecordReader,
    latestReconcileRun: async () => null,
    personsReplica: { isReady: () => true, ready: Promise.resolve(), lag: () => 0 },
    async history(id) {
      const out = [];
      for await (const [k, value] of view(audit).range(prefixRange(`${id}|`))) {
        const [, p, o] = k.split('|') as [string, string, string];
        out.push({ partition: Number(p), offset: String(Number(o)), value });
      }
      return out;
    },
    isReady: () => ready, ready: Promise.resolve(), lag: () => (ready ? 0 : 42), close: async () => undefined,
  };
  const get = async (path: string) => {
    const res = await fetch(`${url}/admin${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };

  beforeAll(async () => {
    const policy = makePolicy({ startOffsetDays: 6, version: 'uio' });
    index.upsert(account());
    await put(persons, '101926', { employee: employee(), affiliations: [aff('2020-01-01', '2026-03-31')], updatedAt: '2026-03-01T00:00:00Z' });
    await put(persons, '202020', { employee: employee({ id: '202020', givenName: 'Ny', familyName: 'Ansatt' }), affiliations: [aff('2026-03-12', null, '30002222')], updatedAt: '2026-03-01T00:00:00Z' });
    await put(timers, '2026-03-06|202020', { day: '2026-03-06' });
    await put(timers, '2026-04-01|101926', { day: '2026-04-01' });
    // A v1 audit record (before dfoResponses/notify): must still explain.
    await put(audit, auditIndexKey('101926', 2, 17n), {
      at: '2020-09-01T06:00:00.000Z', employeeId: '101926', accountId: account().id, decision: 'create', rule: 'create-granted', detail: 'old create',
      policyVersion: 'p-old', today: '2020-09-01', cause: { kind: 'stillinger', id: '30001233', amqpMessageId: 'm-old', raw: null },
      dfoResponse: { id: 30001233, stillingsnavn: 'Rådgiver', innehaver: [{}, {}] }, notifyEventId: `${account().id}:v1`, account: account(),
    });
    await put(audit, auditIndexKey('101926', 2, 18n), { not: 'an audit record' });
    const app = createAdminApp({
      log: pino({ level: 'silent' }), readiness: () => ({}), tokens: new TokenRegistry({ label: 'admin', tokens: `ops:${TOKEN}` }),
      routes: [explainRoutes({ replicas, index, accountsReady: () => true, policy, emailDomain: 'uib.no', clock: () => osloMidnightUtc('2026-03-02').getTime() + 9 * 3600_000 })],
    });
    server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));

  test('503 with Retry-After while the replicas catch up; the policy answers anyway', async () => {
    const r = await get('/explain/101926');
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '5');
    assert.match(r.body.error, /catching up \(42 records to go\)/);
    assert.equal((await get('/upcoming')).status, 503);
    assert.equal((await get('/policy')).body.version, 'uio');
    ready = true;
  });

  test('bad input is 400 naming the field; unknown people are 404', async () => {
    for (const q of ['?at=2026-13-01', '?at=tomorrow', '?at=9999-12-31', '?history=0', '?history=x']) {
      const r = await get(`/explain/101926${q}`);
      assert.equal(r.status, 400, q);
      assert.match(r.body.error, q.includes('at') ? /^at: / : /^history: /, q);
    }
    assert.equal((await get('/upcoming?days=-1')).status, 400);
    assert.equal((await get('/upcoming?days=367')).status, 400);
    assert.match((await get('/explain/555')).body.error, /no person, account or userName matches '555'/);
    assert.equal((await get('/explain/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await get('/explain/nobody')).status, 404);
  });

  test('a v1 audit record is explained with its DFØ response and notify event; unreadable records are counted, not fatal', async () => {
    const x = (await get('/explain/gisaas')).body;
    assert.equal(x.person.employeeId, '101926');
    assert.equal(x.historyTotal, 1);
    assert.equal(x.unreadableAuditRecords, 1);
    assert.deepEqual(x.current.dfoResponses, [{ resource: 'stillinger', id: '30001233', response: { id: 30001233, stillingsnavn: 'Rådgiver', innehaver: [{}, {}] } }]);
    assert.deepEqual(x.current.notify, { eventId: `${account().id}:v1`, type: 'CREATE' });
    assert.deepEqual(x.current.audit, { partition: 2, offset: '17' });
    assert.equal(x.current.accountVersion, 1);
    assert.deepEqual(x.upcoming.map((u: any) => [u.day, u.change]), [['2026-04-01', 'block']]);
    const text = renderExplanation(x);
    assert.match(text, /^ {6}DFØ {9}stillinger 30001233: Rådgiver, 2 holders$/m);
    assert.match(text, /^ {6}notify {6}CREATE 5f0c2b1e-0000-4000-8000-000000000001:v1$/m);
    assert.match(text, /^ {2}\(1 unreadable audit records skipped\)$/m);
    assert.match(text, /^ {2}2026-04-01 {2}block {2}\(block-not-eligible\)/m);
  });

  test('upcoming reads the timers: the early start (6 days) and the end, each on its day', async () => {
    const r = (await get('/upcoming?days=30')).body;
    assert.deepEqual(r.changes.map((c: any) => [c.day, c.change, c.employeeId, c.userName]), [['2026-03-06', 'create', '202020', null], ['2026-04-01', 'block', '101926', 'gisaas@uib.no']]);
    assert.deepEqual(r.summary, { create: 1, block: 1, reactivate: 0 });
    assert.equal(r.personsWithTimers, 2);
    assert.deepEqual((await get('/upcoming?days=4')).body.changes.map((c: any) => c.day), ['2026-03-06'], 'the last day of the window is included');
    assert.deepEqual((await get('/upcoming?days=3')).body.changes, [], 'until 2026-03-05');
    const text = renderUpcoming(r);
    assert.match(text, /^ {2}2026-03-06 {2}create {2}202020 {4}Ny Ansatt {2}- {14}employee 202020 has 1 affiliation active on 2026-03-06/m);
    assert.equal(text.trimEnd().split('\n').at(-1), 'upcoming: 1 create, 1 block, 0 reactivate in the next 30 days (until 2026-04-01; 2 persons with timers)');
  });
});

describe('explain rendering helpers', () => {
  test('table pads every column but the last', () => {
    assert.deepEqual(table(['A', 'BB', 'C'], [['xxx', 'y', 'long text'], ['', '', '']]), ['A    BB  C', 'xxx  y   long text', '']);
  });

  test('DFØ responses are summarised by resource', () => {
    assert.equal(summariseDfoResponse({ resource: 'ansatte', id: '1', response: { fornavn: 'Kari', etternavn: 'Nordmann', eksternbruker: false, sluttdato: '2027-01-31' } }), 'ansatte 1: Kari Nordmann, not eksternbruker, employed until 2027-01-31');
    assert.equal(summariseDfoResponse({ resource: 'stillinger', id: '2', response: { gone: 'UBESATT STILLING' } }), 'stillinger 2: gone (UBESATT STILLING)');
    assert.equal(summariseDfoResponse({ resource: 'stillinger', id: '3', response: { stillingsnavn: 'Lektor', innehaver: { innehaverAnsattnr: '1' } } }), 'stillinger 3: Lektor, 1 holder');
    assert.equal(summariseDfoResponse({ resource: 'ansatte', id: '4', response: null }), 'ansatte 4: (no response stored)');
  });
});
