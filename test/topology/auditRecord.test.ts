/**
 * Audit records, through the whole topology in the test driver with the real DFØ simulator over
 * HTTP: exactly one record per account decision that changed or sent something, or was taken on a
 * person without an account, each with every link (cause, AMQP message id, raw coordinates, every
 * DFØ response used, the notify event); none for a decision that only repeats what stands; and old
 * (v1) records stay readable.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import { isAudited, readAuditRecord, type AuditRecord } from '../../src/topology/contracts/audit.ts';
import { notifyRecordSchema, type NotifyRecord } from '../../src/topology/contracts/notify.ts';
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
  const notifies = () => driver.readOutput<NotifyRecord>(T.notify).map((r) => r.value);
  /** The notify records of the first test (reading an output takes it). */
  let firstNotifies: NotifyRecord[] = [];

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => clock });
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await sim.upsertEmployee(ansatt('100002', 'Ola', 'Nordmann'));
    await sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN], ['100002', '2026-03-08', OPEN]]));
    const dfo = createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } });
    const topology = buildIgaTopology({ appId: APP, dfo, policy, emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000 });
    driver = await new TopologyTestDriver(topology, { appId: APP, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

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
    firstNotifies = notifies();
    assert.deepEqual(firstNotifies.map((n) => n.eventId).sort(), records.filter((r) => r.notify).map((r) => r.notify!.eventId).sort(), 'every notify event has its audit record');
  });

  test('each notify record carries the change for the drivers: the account as of that version and the publisher\'s message id (through the username claim for a create)', async () => {
    const created = firstNotifies.find((n) => n.type === 'CREATE')!;
    assert.ok(created.account, 'the account snapshot');
    assert.equal(created.eventId, `${created.account.id}:v${created.account.version}`);
    assert.equal(created.account.userName, 'karnor@uib.no');
    assert.equal(notifyRecordSchema.parse(created).account?.id, created.account.id);
    // The create ran on the username grant (cause kind username); the message is the claim's cause's.
    assert.deepEqual(created.cause, { kind: 'username', id: '100001', messageId: 'amqp-msg-1' });
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

  test('a decision that only repeats what stands writes no audit record; every one on a person without an account does', async () => {
    await sim.upsertEmployee(ansatt('100003', 'Per', 'Senere'));
    await sim.upsertPosition(stilling('30000002', [['100001', '2020-01-01', OPEN], ['100003', '2027-01-01', OPEN]]));
    await driver.pipeInput(T.raw, 'stillinger:30000002', raw('stillinger', '30000002', 'amqp-msg-3'));
    const kari = await driver.getStore<{ affiliations: unknown[] }>('persons').get('100001');
    assert.equal(kari?.affiliations.length, 2, 'Kari\'s second position reached her person, and the rules ran');
    assert.deepEqual(audits().map((r) => [r.employeeId, r.decision, r.rule]), [['100003', 'none', 'not-eligible']], 'Kari\'s account is up to date: no record');
    assert.deepEqual(notifies(), []);
    await sim.upsertPosition(stilling('30000002', [['100001', '2020-01-01', OPEN], ['100003', '2027-02-01', OPEN]]));
    await driver.pipeInput(T.raw, 'stillinger:30000002', raw('stillinger', '30000002', 'amqp-msg-4'));
    assert.deepEqual(audits().map((r) => [r.employeeId, r.rule, r.cause.amqpMessageId]), [['100003', 'not-eligible', 'amqp-msg-4']], 'no account yet: the latest answer is on record');
  });

  test('which runs of the rules are audited', () => {
    const repeat = { decision: 'none', stateChanged: false, markChanged: false, proposedBlock: false, brakeVerdict: false, sentToDirectory: false, firstForPerson: false } as const;
    assert.equal(isAudited(repeat), false, 'a run that changed and sent nothing');
    for (const kind of ['request-username', 'create', 'block', 'reactivate', 'modify'] as const) assert.equal(isAudited({ ...repeat, decision: kind }), true, kind);
    for (const k of ['stateChanged', 'markChanged', 'proposedBlock', 'brakeVerdict', 'sentToDirectory', 'firstForPerson'] as const) assert.equal(isAudited({ ...repeat, [k]: true }), true, k);
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
