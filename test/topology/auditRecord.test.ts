/**
 * Audit records, through the whole topology in the test driver with the real DFØ simulator over
 * HTTP: exactly one record per account decision, each with every link (cause, AMQP message id,
 * raw coordinates, every DFØ response used, the notify event); and old (v1) records stay readable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../connectors/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/config.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/streams/index.ts';
import { readAuditRecord, type AuditRecord } from '../../src/topology/auditRecord.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'audit-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';

describe('audit records', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  let clock = '2026-03-02';
  const policy = makePolicy({ startOffsetDays: 3, version: 'uio-test' });
  const raw = (kind: 'ansatte' | 'stillinger', id: string, messageId: string) => ({
    kind, id, notBefore: null, firmakode: '9900', receivedAt: '2026-03-02T09:00:00Z',
    source: { exchange: 'ex_from_dfo', routingKey: kind, messageId, contentType: 'application/octet-stream' },
  });
  const audits = () => driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  const notifies = () => driver.readOutput<{ eventId: string; type: string }>(T.notify).map((r) => r.value);

  before(async () => {
    sim = await startDfoSimulator({ today: () => clock });
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await sim.upsertEmployee(ansatt('100002', 'Ola', 'Nordmann'));
    await sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN], ['100002', '2026-03-08', OPEN]]));
    const dfo = createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } });
    const topology = buildIgaTopology({ appId: APP, dfo, policy, emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000 });
    driver = await new TopologyTestDriver(topology, { appId: APP, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
  });
  after(async () => { await driver?.close(); await sim?.close(); });

  test('a new holder: the decision names the position AND the employee fetched for it, the raw event and its AMQP message id', async () => {
    await driver.pipeInput(T.raw, 'stillinger:30000001', raw('stillinger', '30000001', 'amqp-msg-1'));
    const records = audits();
    // Kari: claim a username, then create on the grant. Ola starts 2026-03-08, counted from 03-05 (3 days early): not yet.
    const byPerson = Map.groupBy(records, (r) => r.employeeId);
    assert.deepEqual(byPerson.get('100001')!.map((r) => r.decision), ['request-username', 'create']);
    assert.deepEqual(byPerson.get('100002')!.map((r) => [r.decision, r.rule]), [['none', 'not-eligible']]);
    for (const id of ['100001', '100002']) {
      const first = byPerson.get(id)![0]!;
      assert.equal(first.v, 2);
      assert.equal(first.policyVersion, 'uio-test');
      assert.equal(first.today, '2026-03-02');
      assert.equal(first.cause.kind, 'stillinger');
      assert.equal(first.cause.id, '30000001');
      assert.equal(first.cause.amqpMessageId, 'amqp-msg-1');
      assert.deepEqual(first.cause.raw, { topic: T.raw, partition: 0, offset: '0' });
      assert.deepEqual(first.dfoResponses.map((x) => [x.resource, x.id]), [['stillinger', '30000001'], ['ansatte', id]]);
      const position = first.dfoResponses[0]!.response as { id: unknown };
      assert.equal(Number(position.id), 30000001);
      assert.equal((first.dfoResponses[1]!.response as { id: string }).id.replace(/^0+/, ''), id);
      assert.equal(first.notify, undefined, 'no account change, no notify event');
      assert.equal(first.affiliations.length, 1);
    }
    assert.equal(byPerson.get('100001')![0]!.activeAffiliations.length, 1);
    assert.equal(byPerson.get('100002')![0]!.activeAffiliations.length, 0);
    // The create was caused by the username grant; it links to the CREATE event it sent.
    const create = byPerson.get('100001')![1]!;
    assert.equal(create.cause.kind, 'username');
    assert.deepEqual(create.cause.via, { kind: 'stillinger', id: '30000001', amqpMessageId: 'amqp-msg-1', raw: { topic: T.raw, partition: 0, offset: '0' } }, 'the create names the DFØ event that made the person eligible');
    assert.equal(create.notify?.type, 'CREATE');
    assert.equal(create.notify?.eventId, `${create.accountId}:v1`);
    assert.equal(create.notify?.attributes, undefined);
    assert.equal(create.account?.id, create.accountId);
    assert.deepEqual(notifies().map((n) => n.eventId).sort(), records.filter((r) => r.notify).map((r) => r.notify!.eventId).sort(), 'every notify event has its audit record');
  });

  test('a known employee\'s change names the employee response; a timer decision names none; one audit record per decision', async () => {
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann-Hansen'));
    await driver.pipeInput(T.raw, 'ansatte:100001', raw('ansatte', '100001', 'amqp-msg-2'));
    const [modify, ...rest] = audits();
    assert.equal(rest.length, 0);
    assert.equal(modify!.decision, 'modify');
    assert.equal(modify!.cause.amqpMessageId, 'amqp-msg-2');
    assert.deepEqual(modify!.dfoResponses.map((x) => [x.resource, x.id]), [['ansatte', '100001']]);
    assert.deepEqual(modify!.notify?.attributes, ['displayName', 'name.familyName', 'name.formatted']);
    assert.equal(notifies().length, 1);

    // Ola's effective start (2026-03-08 minus 3 days) is a timer: the decision names no DFØ response and no raw event.
    clock = '2026-03-05';
    await driver.setWallClockTime(Date.parse('2026-03-05T06:00:00Z'));
    const timer = audits();
    assert.deepEqual(timer.map((r) => [r.employeeId, r.decision, r.cause.kind]), [['100002', 'request-username', 'timer'], ['100002', 'create', 'username']]);
    assert.equal(timer[0]!.cause.id, '2026-03-05');
    assert.deepEqual(timer[1]!.cause.via, { kind: 'timer', id: '2026-03-05', amqpMessageId: null, raw: null });
    assert.deepEqual(timer[0]!.dfoResponses, []);
    assert.equal(timer[0]!.cause.raw, null);
    assert.deepEqual(notifies().map((n) => n.type), ['CREATE']);
  });

  test('a v1 record (single dfoResponse, notifyEventId) is read into the current shape', () => {
    const v1 = {
      at: '2026-01-01T10:00:00.000Z', employeeId: '100001', accountId: 'a-1', decision: 'block', rule: 'block-not-eligible', detail: 'gone',
      policyVersion: 'p-1', today: '2026-01-01', cause: { kind: 'stillinger', id: '30000001', amqpMessageId: 'm', raw: { topic: 't', partition: 1, offset: '7' } },
      dfoResponse: { id: 30000001 }, notifyEventId: 'a-1:v2',
    };
    const r = readAuditRecord(v1);
    assert.equal(r.v, 2);
    assert.deepEqual(r.dfoResponses, [{ resource: 'stillinger', id: '30000001', response: { id: 30000001 } }]);
    assert.deepEqual(r.notify, { eventId: 'a-1:v2', type: 'MODIFY' });
    assert.deepEqual(r.affiliations, []);
    const timer = readAuditRecord({ ...v1, cause: { kind: 'timer', id: '2026-01-01', amqpMessageId: null, raw: null }, dfoResponse: undefined, notifyEventId: undefined });
    assert.deepEqual(timer.dfoResponses, []);
    assert.equal(timer.notify, undefined);
    assert.throws(() => readAuditRecord({ employeeId: 1 }), /invalid audit record: .*employeeId/);
  });
});
