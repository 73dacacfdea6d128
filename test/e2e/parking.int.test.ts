/**
 * Per-person parking on the real runtime (Kafka broker, RabbitMQ, DFØ simulator over HTTP), one
 * partition so everyone shares the failing person's task: DFØ answers 500 for one employee only.
 * Everyone else gets an account; the person's later events wait in the RocksDB store behind the
 * parked one, survive a restart from the changelogs alone (local state deleted), and once DFØ
 * answers they are applied in the order they came.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { Account, Affiliation } from '../../src/iga/model.ts';
import { changelogTopic } from '../../src/runtime/api/topologyBuilder.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import { eventually } from '../support/brokers.ts';
import { ansatt, startStack, stilling, type Stack } from './stack.ts';

const OPEN = '9999-12-31';
const X = '100200';
const PERSONS = 400;

describe('parking one person on the real runtime', () => {
  let s: Stack;
  const latest = async <V>(topic: string) => new Map((await s.readTopic(topic)).map((r) => [r.key, r.value as V]));
  const accountsByPerson = async () => new Map([...(await latest<Account>(topicNames(s.appId).accounts)).values()].map((a) => [a.personId, a]));

  beforeAll(async () => {
    s = await startStack({ start: '2026-03-02T09:00:00Z', partitions: 1, env: { IGA_DFO_PARK_RETRY_MS: '300' } });
    for (let i = 1; i <= PERSONS; i++) await s.sim.upsertEmployee(ansatt(String(100000 + i), `Navn${String.fromCharCode(97 + (i % 26))}`, `Etter${i}`));
    for (let p = 1; p <= PERSONS / 2; p++) {
      await s.sim.upsertPosition(stilling(String(30200000 + p), [[String(100000 + 2 * p - 1), '2020-01-01', OPEN], [String(100000 + 2 * p), '2020-01-01', OPEN]]));
    }
  });
  afterAll(async () => { await s?.close(); });

  test('one failing person waits alone, across a restart from the changelogs, and their events apply in order', async () => {
    s.sim.setFaults({ only: 'ansatte', ids: [X], serverError: { share: 1 } });
    for (let p = 1; p <= PERSONS / 2; p++) await s.sim.publish('stillinger', String(30200000 + p));
    await eventually(`${PERSONS - 1} accounts`, async () => (await accountsByPerson()).size >= PERSONS - 1, 120_000, 500);
    // X's holding is extended and X gets a second position, while X is parked.
    await s.sim.upsertPosition(stilling('30200100', [['100199', '2020-01-01', OPEN], [X, '2020-01-01', '2027-06-30']]));
    await s.sim.upsertPosition(stilling('30209999', [[X, '2026-03-01', OPEN]]));
    await s.sim.publish('stillinger', '30200100');
    await s.sim.publish('stillinger', '30209999');
    await s.quiesce();
    const accounts = await accountsByPerson();
    assert.equal(accounts.size, PERSONS - 1, 'everyone but X');
    assert.ok(!accounts.has(X));
    const deferred = await latest<unknown>(changelogTopic(s.appId, 'person-deferred'));
    const waiting = [...deferred].filter(([k, v]) => k.startsWith(`queue|${X}|`) && v !== null);
    assert.equal(waiting.length, 2, "X's two later events wait behind the parked one in the store");

    // Lose the local state: the queue comes back from the changelog; X keeps failing, and is retried.
    // The business clock stands still in this stack: it moves 20 s per poll (the longest wait is 64 × 300 ms).
    await s.restart(() => rm(join(s.config.stateDir, s.appId), { recursive: true, force: true }));
    const tick = () => { s.clock.now += 20_000; };
    const before = s.sim.requestCount('ansatte', X);
    await eventually('a retry of X after the restart', () => { tick(); return s.sim.requestCount('ansatte', X) > before; }, 30_000, 200);
    assert.ok(!(await accountsByPerson()).has(X));

    s.sim.setFaults({});
    await eventually('an account for X', async () => { tick(); return (await accountsByPerson()).get(X)?.active === true; }, 60_000, 300);
    await s.quiesce();
    const person = (await latest<{ affiliations: Affiliation[] }>(changelogTopic(s.appId, 'persons'))).get(X);
    assert.deepEqual(person?.affiliations, [
      { positionId: '30200100', startDate: '2020-01-01', endDate: '2027-06-30' },
      { positionId: '30209999', startDate: '2026-03-01', endDate: null },
    ], 'the newer dates stand');
    const audits = (await s.readTopic(topicNames(s.appId).audit)).map((r) => r.value as AuditRecord).filter((a) => a.employeeId === X && a.cause.kind === 'stillinger');
    // X's first event claimed the username; the later two found the claim open (no change, no audit
    // record). The newer dates standing above show they applied after it, in the order they came.
    assert.deepEqual(audits.map((a) => [a.cause.id, a.decision]), [['30200100', 'request-username']], "X's first event came first");
    const left = [...(await latest<unknown>(changelogTopic(s.appId, 'person-deferred')))].filter(([k, v]) => k.startsWith('queue|') && v !== null);
    assert.deepEqual(left, [], 'nothing left parked');
  });
});
