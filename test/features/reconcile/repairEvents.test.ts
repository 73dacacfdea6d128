/**
 * The topology's side of a repair, in the test driver with the DFØ simulator over HTTP: a
 * reconciliation's synthetic raw event is handled like a missed notification, its decisions carry
 * the cause `reconcile <runId>`, and `resendHolders` re-sends a holder event that was lost
 * downstream even though the positions store already agrees with DFØ.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../../connectors/dfo/index.ts';
import { topicNames } from '../../../src/topology/contracts/topics.ts';
import type { Account } from '../../../src/iga/model.ts';
import { makePolicy } from '../../../src/iga/policy.ts';
import { planRepairs } from '../../../src/features/reconcile/plan.ts';
import { repairRawEvent } from '../../../src/features/reconcile/records.ts';
import { TopologyTestDriver } from '../../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../../src/topology/contracts/audit.ts';
import { buildIgaTopology } from '../../../src/topology/topology.ts';
import { ansatt, stilling } from '../../e2e/stack.ts';

const APP = 'reconcile-repair-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';

describe('repair events in the topology', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  const audits = () => driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  const accounts = () => driver.readOutput<Account>(T.accounts).map((r) => r.value);
  const pipeRepair = async (drift: Parameters<typeof planRepairs>[0][number], runId: string) => {
    for (const e of planRepairs([drift])) {
      const { key, value } = repairRawEvent(e, runId, '2026-03-02T09:00:00Z');
      await driver.pipeInput(T.raw, key, JSON.parse(JSON.stringify(value)));
    }
  };

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-03-02' });
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN]]));
    const deps = {
      appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'v1' }),
      emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000,
    };
    driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
    await driver.advanceWallClockTime(1000);
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('a missing position is fetched and its holder gets an account; every decision names the run', async () => {
    await pipeRepair({ kind: 'missing-position', subject: { type: 'position', id: '30000001' }, detail: '' }, 'run-1');
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]), [['100001', true]]);
    const records = audits();
    assert.ok(records.length >= 2, 'request-username and create');
    for (const r of records) {
      const cause = r.cause.kind === 'username' ? r.cause.via : r.cause;
      assert.deepEqual([cause?.kind, cause?.id, cause?.amqpMessageId], ['reconcile', 'run-1', null]);
      assert.equal(cause?.raw?.topic, T.raw);
    }
  });

  test('without resendHolders a position that already agrees changes nothing; with it the holder event is sent again', async () => {
    const plain = repairRawEvent({ kind: 'stillinger', id: '30000001', resendHolders: [], repairs: [] }, 'run-2', '2026-03-02T09:00:00Z');
    await driver.pipeInput(T.raw, plain.key, JSON.parse(JSON.stringify(plain.value)));
    assert.deepEqual(audits(), []);
    // The person lost the holder event downstream (simulated by clearing their affiliations).
    const persons = driver.getStore<{ employee: unknown; affiliations: unknown[]; updatedAt: string }>('persons');
    const kari = await persons.get('100001');
    persons.put('100001', { ...kari!, affiliations: [] });
    await pipeRepair({ kind: 'wrong-holders', subject: { type: 'person', id: '100001' }, positions: ['30000001'], detail: '' }, 'run-3');
    assert.deepEqual((await persons.get('100001'))!.affiliations, [{ positionId: '30000001', startDate: '2020-01-01', endDate: null }]);
    // Her account never lost the position (only the person store was cleared): the rules find it up
    // to date, a decision that changes nothing and so writes no audit record.
    assert.deepEqual(audits(), []);
  });

  test('a stale person is repaired with an ansatte event (fetched and diffed by the person processor)', async () => {
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann-Berg'));
    await pipeRepair({ kind: 'stale-person', subject: { type: 'person', id: '100001' }, detail: '' }, 'run-4');
    const [decision] = audits();
    assert.deepEqual([decision!.decision, decision!.cause.kind, decision!.cause.id], ['modify', 'reconcile', 'run-4']);
    assert.equal(accounts().at(-1)!.displayName, 'Kari Nordmann-Berg');
  });
});
