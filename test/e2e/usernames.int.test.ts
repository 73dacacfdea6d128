/**
 * Usernames never run out, on the real Kafka broker and RabbitMQ: when the 9,999 names of a stem
 * are used up, the registry task passes the claim on through the claims topic (in its transaction)
 * to the owner of the next stem, and a person hired then gets an account with that name. The
 * 50,000-people test of the rules runs in the test driver (test/topology/usernameRegistry.test.ts);
 * this one checks the wiring.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { candidateName } from '../../src/iga/username.ts';
import { usernameNamespaces } from '../../src/iga/usernameNamespaces.ts';
import type { UsernameClaim } from '../../src/topology/contracts/messages.ts';
import { eventually, testKafka } from '../support/brokers.ts';
import { ansatt, startStack, stilling, type Stack } from './stack.ts';

const CLAIMANTS = 10_001; // the 9,999 names of gisaas, and two more
const FIRST_ID = 5_000_000;
const HIRED = '6000001';
const [DEFAULT, ...FALLBACKS] = usernameNamespaces('Gisle', 'Aas');

describe('usernames never run out (real brokers)', () => {
  let s: Stack;

  beforeAll(async () => {
    s = await startStack({ start: '2026-03-02T09:00:00Z' });
    // The claims the account processor writes for that many eligible people named Gisle Aas.
    const producer = testKafka('usernames-int').producer({ idempotent: true, maxInFlightRequests: 1 }); // a retried request must not write its records twice
    await producer.connect();
    try {
      for (let i = 0; i < CLAIMANTS; i += 1_000) {
        const messages = Array.from({ length: Math.min(1_000, CLAIMANTS - i) }, (_, j) => {
          const claim: UsernameClaim = { stem: DEFAULT.stem, employeeId: String(FIRST_ID + i + j), fallbacks: FALLBACKS };
          return { key: DEFAULT.stem, value: JSON.stringify(claim) };
        });
        await producer.send({ topic: topicNames(s.appId).usernameClaims, messages });
      }
    } finally {
      await producer.disconnect();
    }
    await s.quiesce();
  });
  afterAll(async () => { await s?.close(); });

  test('every claimant gets a distinct name: gisaas … gisaas9999 in order, then the next stem of the chain', async () => {
    const grants = (await s.readTopic(topicNames(s.appId).accountInputs)).map((r) => r.value).filter((v) => v.type === 'username-granted');
    assert.equal(grants.length, CLAIMANTS);
    const byEmployee = new Map(grants.map((g) => [g.employeeId as string, g.userName as string]));
    assert.equal(byEmployee.size, CLAIMANTS);
    assert.equal(new Set(byEmployee.values()).size, CLAIMANTS, 'all names distinct');
    for (let i = 0; i < 9_999; i++) assert.equal(byEmployee.get(String(FIRST_ID + i)), `${candidateName('gisaas', i)}@uib.no`);
    assert.deepEqual([byEmployee.get(String(FIRST_ID + 9_999)), byEmployee.get(String(FIRST_ID + 10_000))], ['gislaas@uib.no', 'gislaas2@uib.no']);
    assert.deepEqual(await s.readTopic(topicNames(s.appId).dlq), []);
  });

  test('a Gisle Aas hired now gets an account with the next free name of the fallback stem', async () => {
    await s.sim.upsertEmployee(ansatt(HIRED, 'Gisle', 'Aas'));
    await s.sim.upsertPosition(stilling('30000001', [[HIRED, '2020-01-01', '9999-12-31']]));
    await s.sim.publish('stillinger', '30000001');
    const user = await eventually('the account of the hire', async () => (await s.scim(`/Users?employeeNumber=${HIRED}`)).body.Resources?.[0]);
    assert.equal(user.userName, 'gislaas3@uib.no');
    assert.equal(user.active, true);
  });
});
