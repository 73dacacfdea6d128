/**
 * Username grants and brake verdicts go straight to the account step (account-inputs topic and
 * step), not through the person-events topic and the person step a second time; records of those
 * types that an earlier version wrote to person-events are still handed on. Test driver, with the
 * real DFØ simulator over HTTP.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import type { Account } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import type { AccountInput, PersonEvent } from '../../src/topology/contracts/messages.ts';
import type { PersonState } from '../../src/topology/contracts/stores.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'account-inputs-test';
const T = topicNames(APP);
const START = Date.parse('2026-03-02T09:00:00Z');
let sim: DfoSimulator;
let driver: TopologyTestDriver;

beforeAll(async () => {
  sim = await startDfoSimulator({ today: () => '2026-03-02' });
  const deps = {
    appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'p1' }), emailDomain: 'uib.no',
    resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000, parkRetryMs: 5000,
  };
  driver = new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, startTime: START, deadLetterTopic: T.dlq, prefetch: false });
  await driver.init();
  await driver.advanceWallClockTime(1000);
});
afterAll(async () => {
  await driver?.close();
  await sim?.close();
});

const types = (topic: string) => driver.readOutput<{ type: string; employeeId: string }>(topic).map((r) => [r.value.type, r.value.employeeId]);

test('a new hire crosses person-events once: the grant goes to the account step by account-inputs', async () => {
  await sim.upsertEmployee(ansatt('200001', 'Kari', 'Nordmann'));
  await sim.upsertPosition(stilling('30200001', [['200001', '2026-01-01', '2027-12-31']]));
  await driver.pipeInput(T.raw, 'stillinger:30200001', { kind: 'stillinger', id: '30200001', notBefore: null, source: { messageId: 'm-1' } });

  expect(types(T.personEvents)).toEqual([['holder', '200001']]);
  expect(types(T.accountInputs)).toEqual([['username-granted', '200001']]);
  const accounts = driver.readOutput<Account>(T.accounts).map((r) => r.value);
  expect(accounts.map((a) => [a.personId, a.userName, a.active])).toEqual([['200001', 'karnor@uib.no', true]]);
  const created = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value).find((a) => a.decision === 'create');
  expect(created?.cause.kind).toBe('username');
  expect(created?.cause.raw?.topic).toBe(T.accountInputs);
  expect(created?.cause.via?.kind).toBe('stillinger');
});

test('a grant on account-inputs and one an earlier version left on person-events both issue the account', async () => {
  // Two eligible persons as the person step stores them, whose claims are answered by hand.
  const kari = await driver.getStore<PersonState>('persons').get('200001');
  const persons = driver.getStore<PersonState>('persons');
  persons.put('200002', { ...kari!, employee: { ...kari!.employee!, id: '200002' } });
  persons.put('200003', { ...kari!, employee: { ...kari!.employee!, id: '200003' } });
  const grant = (employeeId: string, local: string): AccountInput => ({ type: 'username-granted', employeeId, userName: `${local}@uib.no` });
  await driver.pipeInput(T.accountInputs, '200002', grant('200002', 'karnor2'));
  await driver.pipeInput<PersonEvent>(T.personEvents, '200003', grant('200003', 'karnor3'));

  const accounts = driver.readOutput<Account>(T.accounts).map((r) => [r.value.personId, r.value.userName]);
  expect(accounts).toEqual([['200002', 'karnor2@uib.no'], ['200003', 'karnor3@uib.no']]);
  const causes = driver.readOutput<AuditRecord>(T.audit).map((r) => [r.value.employeeId, r.value.cause.kind, r.value.cause.raw?.topic]);
  expect(causes).toEqual([['200002', 'username', T.accountInputs], ['200003', 'username', T.personEvents]]);
});

test('a grant for a person the person step never stored decides on an unknown person (no account, the name reserved)', async () => {
  await driver.pipeInput<AccountInput>(T.accountInputs, '299999', { type: 'username-granted', employeeId: '299999', userName: 'nobody@uib.no' });
  expect(driver.readOutput(T.accounts)).toEqual([]);
  const audit = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  expect(audit.map((a) => [a.employeeId, a.decision])).toEqual([['299999', 'none']]);
});
