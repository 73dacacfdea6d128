/**
 * Usernames never run out, through the whole topology in the test driver (in-memory stores, the
 * DFØ simulator over HTTP for the one real hire): 50,000 people named Gisle Aas each get a distinct
 * valid name — gisaas … gisaas9999 exactly as before, then gislaas…, gisleaas…, then g<employee id>
 * — every claim past a used-up stem is passed on to the owner of the next stem through the claims
 * topic, a claim again gives everyone the name they have, claims written before fallbacks existed
 * still get a name, and a person hired after all that gets an account with the final fallback.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { Account } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { candidateName, isValidLocalPart, splitUserName, stemOf } from '../../src/iga/username.ts';
import { usernameNamespaces } from '../../src/iga/usernameNamespaces.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { IgaDeps } from '../../src/topology/ports.ts';
import type { PersonEvent, UsernameClaim } from '../../src/topology/contracts/messages.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'username-test';
const T = topicNames(APP);
const CLAIMS = T.usernameClaims;
const GRANTS = T.accountInputs;
const PEOPLE = 50_000;
const STEM_SIZE = 9_999;
const FIRST_ID = 1_000_000;
const [DEFAULT, ...FALLBACKS] = usernameNamespaces('Gisle', 'Aas');
const employeeIds = Array.from({ length: PEOPLE }, (_, i) => String(FIRST_ID + i));

/** The claim the account processor writes for an eligible Gisle Aas without an account. */
const claimFor = (employeeId: string): UsernameClaim => ({
  stem: DEFAULT!.stem, employeeId, cause: { kind: 'stillinger', id: '1', amqpMessageId: null, raw: null }, fallbacks: FALLBACKS,
});

describe('usernames never run out (test driver)', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  /** employee id → local part, from the grants seen so far. */
  const granted = new Map<string, string>();

  /** Pipes the claims in batches and returns the grants they caused, in order. */
  async function claim(claims: UsernameClaim[]): Promise<Array<{ employeeId: string; local: string }>> {
    for (let i = 0; i < claims.length; i += 2_000) {
      await driver.pipeInputs(CLAIMS, claims.slice(i, i + 2_000).map((c) => ({ key: c.stem, value: c })));
    }
    return driver.readOutput<PersonEvent>(GRANTS).flatMap((r) => {
      if (r.value.type !== 'username-granted') return [];
      const parts = splitUserName(r.value.userName);
      assert.ok(parts, `granted ${r.value.userName} is local@domain with a valid local part`);
      assert.equal(parts.domain, 'uib.no');
      return [{ employeeId: r.value.employeeId, local: parts.local }];
    });
  }

  /** Nothing was dead-lettered since the last look (the count and the first reason, not a diff of thousands). */
  function noDeadLetters(): void {
    const dead = driver.readOutput<{ reason: string }>(T.dlq);
    assert.equal(dead.length, 0, `${dead.length} records dead-lettered, the first: ${dead[0]?.value.reason}`);
  }

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-03-02' });
    const deps: IgaDeps = {
      appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'usernames' }),
      emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 60_000,
    };
    driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, deadLetterTopic: T.dlq, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('50,000 people of one name each get a distinct valid name; the first 9,999 are gisaas … gisaas9999 as always', async () => {
    const grants = await claim(employeeIds.map(claimFor));
    noDeadLetters();
    for (const g of grants) {
      assert.equal(granted.has(g.employeeId), false, `one grant per person (${g.employeeId})`);
      granted.set(g.employeeId, g.local);
    }
    assert.equal(granted.size, PEOPLE, 'everyone got a name');
    const locals = [...granted.values()];
    assert.equal(new Set(locals).size, PEOPLE, 'all names distinct');
    for (const l of locals) assert.ok(isValidLocalPart(l), l);

    // Before the counter range ran out nothing changed: the i-th claimant got the i-th candidate.
    for (let i = 0; i < STEM_SIZE; i++) assert.equal(granted.get(employeeIds[i]!), candidateName('gisaas', i));
    // Then the chain, in order: more letters of the names, then the employee id.
    assert.deepEqual([DEFAULT, ...FALLBACKS].map((n) => `${n!.scheme}:${n!.stem}`), ['counter:gisaas', 'counter:gislaas', 'counter:gisleaas', 'employee-id:g']);
    const byStem = new Map<string, number>();
    for (const l of locals) byStem.set(stemOf(l), (byStem.get(stemOf(l)) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(byStem), { gisaas: STEM_SIZE, gislaas: STEM_SIZE, gisleaas: STEM_SIZE, g: PEOPLE - 3 * STEM_SIZE });
    for (let i = 3 * STEM_SIZE; i < PEOPLE; i++) assert.equal(granted.get(employeeIds[i]!), `g${employeeIds[i]}`);

    // The grants reached the account processor: each unknown person keeps the name reserved.
    const reserved = await driver.getStore<{ status: string; reservedUserName?: string }>('accounts').get(employeeIds[PEOPLE - 1]!);
    assert.deepEqual(reserved, { status: 'none', reservedUserName: `g${employeeIds[PEOPLE - 1]}@uib.no` });
  });

  test('claiming again (a replay, a rebuild of the accounts) gives everyone the name they have', async () => {
    const sample = employeeIds.filter((_, i) => i % 7 === 0 || i === STEM_SIZE - 1 || i === STEM_SIZE || i === 3 * STEM_SIZE);
    const again = await claim(sample.map(claimFor));
    assert.equal(again.length, sample.length);
    for (const g of again) assert.equal(g.local, granted.get(g.employeeId), `employee ${g.employeeId} keeps ${granted.get(g.employeeId)}`);
    noDeadLetters();
  });

  test('claims written before fallbacks existed (no scheme, no fallbacks) still get a name', async () => {
    const legacy = (employeeId: string): UsernameClaim => ({ stem: 'gisaas', employeeId });
    const grants = await claim([legacy('1000005'), legacy('2000001'), legacy('42')]);
    assert.deepEqual(grants, [
      { employeeId: '1000005', local: 'gisaas6' }, // already theirs
      { employeeId: '2000001', local: 'g2000001' }, // gisaas used up: straight to the final fallback
      { employeeId: '42', local: 'g00042' },
    ]);
    noDeadLetters();
  });

  test('a Gisle Aas hired now gets an account with the final fallback, through the whole topology', async () => {
    await sim.upsertEmployee(ansatt('3000001', 'Gisle', 'Aas'));
    await sim.upsertPosition(stilling('30000001', [['3000001', '2020-01-01', '9999-12-31']]));
    await driver.pipeInput(T.raw, 'stillinger:30000001', { kind: 'stillinger', id: '30000001', notBefore: null, source: { messageId: 'm-1' } });
    const accounts = driver.readOutput<Account>(T.accounts).map((r) => r.value).filter((a) => a.personId === '3000001');
    assert.deepEqual(accounts.map((a) => [a.userName, a.active]), [['g3000001@uib.no', true]]);
    noDeadLetters();
  });
});
