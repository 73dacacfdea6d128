/**
 * The schemas registered for the topics relying parties read (contracts/topicSchemas.ts): each one
 * compiles in Ajv with the defaults that @kafkajs/confluent-schema-registry (and so a relying party)
 * uses, and every kind of record the service writes to those topics fits it — the IGA topology's
 * accounts, notify records and audit records (create, block through the brake), the runtime's dead
 * letter, the connectors' dead letters and a reconciliation run's audit records.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import { deadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { REGISTERED_TOPICS, registeredTopics, registrySchemaOf, type RegisteredTopic } from '../../src/topology/contracts/topicSchemas.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { driftAuditRecord } from '../../src/features/reconcile/records.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'schemas-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';
const raw = (kind: 'ansatte' | 'stillinger', id: string) => ({ kind, id, notBefore: null, source: { messageId: `m-${kind}-${id}` } });

/** A validator per topic, compiled as the library compiles a registered JSON schema (`new Ajv()`). */
const validators = Object.fromEntries(REGISTERED_TOPICS.map((t) => [t, new Ajv().compile(registrySchemaOf(t))])) as Record<RegisteredTopic, ReturnType<Ajv['compile']>>;
function assertFits(topic: RegisteredTopic, value: unknown, what: string): void {
  const validate = validators[topic];
  assert.ok(validate(value), `${what} fits the ${topic} schema: ${JSON.stringify(validate.errors)}`);
}

describe('registered topic schemas', () => {
  test('subjects follow the TopicNameStrategy; the schemas are draft-07, deterministic, open and without formats', () => {
    assert.deepEqual(registeredTopics(T).map((t) => t.subject), [`${T.accounts}-value`, `${T.notify}-value`, `${T.audit}-value`, `${T.dlq}-value`]);
    for (const t of REGISTERED_TOPICS) {
      const text = JSON.stringify(registrySchemaOf(t));
      assert.equal(text, JSON.stringify(registrySchemaOf(t)), `${t}: the same text every time (a restart registers nothing new)`);
      assert.match(text, /"\$schema":"http:\/\/json-schema\.org\/draft-07\/schema#"/);
      assert.doesNotMatch(text, /"format":/, `${t}: no format keyword`);
      assert.doesNotMatch(text, /"additionalProperties":false/, `${t}: an open content model`);
    }
  });

  test('a record with a field added later still fits (a reader of the older schema accepts it); one without a required field does not', () => {
    const account = { id: 'a', personId: '1', userName: 'x@uib.no', active: true, givenName: 'X', familyName: 'Y', displayName: 'X Y', employeeNumber: '1', created: 't', lastModified: 't', version: 1 };
    assertFits('accounts', { ...account, addedLater: ['z'] }, 'an account with an extra field');
    const { userName: _, ...without } = account;
    assert.equal(validators.accounts(without), false);
    assert.equal(validators.accounts({ ...account, version: 0 }), false, 'the contract\'s constraints hold (version ≥ 1)');
  });

  describe('every record the IGA topology writes to those topics fits', () => {
    let sim: DfoSimulator;
    let driver: TopologyTestDriver;

    beforeAll(async () => {
      sim = await startDfoSimulator({ today: () => '2026-03-02' });
      await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
      await sim.upsertEmployee(ansatt('100002', 'Per', 'Slutt'));
      await sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN], ['100002', '2020-01-01', OPEN]]));
      const deps = {
        appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'schemas' }),
        emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000,
      };
      driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, deadLetterTopic: T.dlq, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
      await driver.advanceWallClockTime(1000);
      await driver.pipeInput(T.raw, 'stillinger:30000001', raw('stillinger', '30000001'));
      // A name change (MODIFY), then a block through the mass-change brake.
      await sim.upsertEmployee(ansatt('100001', 'Kari', 'Endret'));
      await driver.pipeInput(T.raw, 'ansatte:100001', raw('ansatte', '100001'));
      await sim.removeEmployee('100002');
      await driver.pipeInput(T.raw, 'ansatte:100002', raw('ansatte', '100002'));
      await driver.advanceWallClockTime(10_000);
      // An input the dfo-events step cannot handle: the runtime's own dead letter.
      await driver.pipeInput(T.raw, 'stillinger:x', { kind: 'stillinger' });
    });
    afterAll(async () => { await driver?.close(); await sim?.close(); });

    test('accounts, notify records (CREATE and MODIFY) and audit records (create, modify, the block\'s proposal and verdict)', () => {
      const accounts = driver.readOutput(T.accounts).map((r) => r.value as { active: boolean });
      const notify = driver.readOutput(T.notify).map((r) => r.value as { type: string });
      const audit = driver.readOutput(T.audit).map((r) => r.value as { decision: string; brake?: unknown });
      assert.ok(accounts.some((a) => !a.active), 'a blocked account was written');
      assert.deepEqual([...new Set(notify.map((n) => n.type))].sort(), ['CREATE', 'MODIFY']);
      assert.deepEqual(new Set(audit.map((a) => a.decision)), new Set(['create', 'request-username', 'modify', 'none', 'block']));
      assert.ok(audit.some((a) => a.brake !== undefined), 'an audit record with the brake\'s link');
      accounts.forEach((v, i) => assertFits('accounts', v, `account record ${i}`));
      notify.forEach((v, i) => assertFits('notify', v, `notify record ${i}`));
      audit.forEach((v, i) => assertFits('audit', v, `audit record ${i}`));
    });

    test('the runtime\'s dead letter', () => {
      const dead = driver.readOutput(T.dlq).map((r) => r.value as { source: string });
      assert.equal(dead.length, 1);
      assert.match(dead[0]!.source, /^task /);
      assertFits('dlq', dead[0], 'the runtime\'s dead letter');
    });
  });

  test('the connectors\' dead letters, a reconciliation run\'s audit records and an operator\'s actions fit', () => {
    const body = Buffer.from('{"broken"');
    const common = { exchange: 'ex_from_dfo', routingKey: 'ansatte', messageId: 'm-1', contentType: 'application/json', receivedAt: '2026-03-02T09:00:00.000Z' };
    assertFits('dlq', deadLetterRecord({ ...common, reason: 'not JSON', source: 'ingress' }, body), 'the ingress\'s dead letter');
    assertFits('dlq', deadLetterRecord({ ...common, reason: 'too long', source: 'ingress' }, Buffer.alloc(100), 10), 'a truncated dead letter');
    assertFits('dlq', deadLetterRecord({ ...common, reason: 'bad', source: 'egress', kafka: { topic: T.notify, partition: 1, offset: '7' } }, body), 'the egress\'s dead letter');
    assertFits('dlq', deadLetterRecord({ ...common, reason: 'bad', source: 'validation', publisher: 'fs', reasons: ['a', 'b'] }, body), 'the validation step\'s dead letter');
    assert.equal(validators.dlq({ reason: 'x', source: 'somebody' }), false, 'neither kind of dead letter');
    const drift = driftAuditRecord({ kind: 'missing-person', subject: { type: 'person', id: '1' }, detail: 'd' }, 'run-1', '2026-03-02T09:00:00.000Z', 'ansatte:1');
    assertFits('audit', drift, 'a drift record');
    assertFits('audit', { type: 'operator-action', v: 1, at: '2026-03-02T09:12:03.120Z', client: 'ops', via: 'console', action: 'brake-release', target: 'brake group 7', outcome: 'ok', detail: 'Group 7: 6 blocks released.' }, 'an operator action');
    assertFits('audit', { type: 'operator-action', v: 1, at: '2026-03-02T09:12:03.120Z', client: null, via: 'console', action: 'sign-in-refused', target: null, outcome: 'refused', detail: 'from 10.0.0.9' }, 'a refused sign-in');
    assertFits('audit', { type: 'reconcile-run', v: 1, runId: 'run-1', trigger: 'admin', dryRun: false, startedAt: 't', endedAt: 't', outcome: 'clean', dfo: { employees: 1, positions: 1 }, stored: { persons: 1, positions: 1 }, drift: {}, repairEvents: 0, pending: 0 }, 'a run record');
  });
});
