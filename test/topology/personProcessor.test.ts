/**
 * Person processor rules beyond BOTT's, through the whole topology in the test driver with the real
 * DFØ simulator over HTTP: DFØ's "IKKE ANSATT" for a known person blocks the account, and a changed
 * policy version re-evaluates every person at once (cause `policy`), once.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { Account } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import type { IgaDeps } from '../../src/topology/ports.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'person-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';
const raw = (kind: 'ansatte' | 'stillinger', id: string) => ({ kind, id, notBefore: null, source: { messageId: `m-${kind}-${id}` } });

describe('person processor', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  let deps: IgaDeps;
  const audits = () => driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  const accounts = () => driver.readOutput<Account>(T.accounts).map((r) => r.value);

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-03-02' });
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await sim.upsertEmployee(ansatt('100002', 'Per', 'Slutt'));
    // Per's holding ended 5 days ago; a 14-day grace still counts it.
    await sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN], ['100002', '2020-01-01', '2026-02-25']]));
    deps = {
      appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ endGraceDays: 14, version: 'grace-14' }),
      emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000,
    };
    driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
    await driver.advanceWallClockTime(1000); // first punctuation records the policy version in force
    await driver.pipeInput(T.raw, 'stillinger:30000001', raw('stillinger', '30000001'));
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]).sort(), [['100001', true], ['100002', true]]);
    audits();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('a known person DFØ no longer employs (IKKE ANSATT) is blocked, and the decision names that answer', async () => {
    await sim.removeEmployee('100001');
    await driver.pipeInput(T.raw, 'ansatte:100001', raw('ansatte', '100001'));
    // The block goes through the mass-change brake: proposed (no change yet), then approved and applied.
    const [proposed, block, ...rest] = audits();
    assert.equal(rest.length, 0);
    assert.deepEqual([proposed!.employeeId, proposed!.decision, proposed!.rule, proposed!.brake?.status], ['100001', 'none', 'block-proposed', 'proposed']);
    assert.deepEqual([block!.employeeId, block!.decision, block!.rule, block!.brake?.status], ['100001', 'block', 'block-not-eligible', 'approved']);
    assert.equal(block!.brake?.group, '1');
    assert.equal(block!.cause.amqpMessageId, 'm-ansatte-100001');
    assert.deepEqual(block!.dfoResponses.map((d) => [d.resource, d.id, Object.keys(d.response as object)]), [['ansatte', '100001', ['gone']]]);
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]), [['100001', false]]);
    const stored = await driver.getStore<{ employee: unknown; affiliations: unknown[] }>('persons').get('100001');
    assert.equal(stored?.employee, null);
    assert.equal(stored?.affiliations.length, 1, 'the affiliations DFØ listed stay known');
  });

  test('a new policy version re-evaluates every person once: a shorter grace blocks at once, with cause policy', async () => {
    deps.policy = makePolicy({ endGraceDays: 0, version: 'grace-0' });
    await driver.advanceWallClockTime(1000);
    const decisions = audits();
    // 100001, blocked already, is up to date under the new policy: re-evaluated, but nothing to record.
    assert.deepEqual(decisions.map((a) => [a.employeeId, a.decision, a.cause.kind, a.cause.id, a.policyVersion]).sort(), [
      ['100002', 'block', 'policy', 'grace-0', 'grace-0'],
      ['100002', 'none', 'policy', 'grace-0', 'grace-0'], // block-proposed, before the brake approved it
    ]);
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]), [['100002', false]]);
    assert.deepEqual(await driver.getStore<{ day: string }>('timers').get('policy'), { day: 'grace-0' });
    await driver.advanceWallClockTime(1000);
    assert.deepEqual(audits(), [], 'once: the next punctuation finds the version recorded');
  });
});
