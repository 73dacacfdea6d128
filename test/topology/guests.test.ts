/**
 * Guests from the guest portal, through the whole topology in the test driver with the real DFØ
 * simulator over HTTP: a guest gets an account only while the sponsor holds an active DFØ employee
 * affiliation — the sponsor's person tells the guest's at once when that changes (no waiting for a
 * date) — and a stay ending further ahead than the policy's guestMaxDays counts only from the day
 * it comes within reach (a date timer).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { DEFAULT_PUBLISH_LIMITS, profileRecords } from '../../connectors/publish/records.ts';
import type { Account } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import { profilePersonKey } from '../../src/topology/contracts/directory.ts';
import { parsePublishersFile } from '../../src/topology/contracts/publishers.ts';
import type { PersonState } from '../../src/topology/contracts/stores.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { ansatt, stilling } from '../e2e/stack.ts';
import { guestProfile, publishersFile, TEST_NIN_HASH_KEY } from '../support/publishers.ts';

const APP = 'guests-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';
const raw = (kind: 'ansatte' | 'stillinger', id: string) => ({ kind, id, notBefore: null, source: { messageId: `m-${kind}-${id}-${Date.now()}` } });

describe('guests: an account only while the sponsor is an active employee', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  let seq = 0;
  async function publish(profile: unknown): Promise<string> {
    const messageId = `g-msg-${++seq}`;
    const r = profileRecords(Buffer.from(JSON.stringify(profile)), { publisher: 'guest-portal', transport: 'http', exchange: null, routingKey: null, contentType: 'application/json', messageId, receivedAt: new Date(driver.currentTime).toISOString() }, { limits: DEFAULT_PUBLISH_LIMITS, maxRecordBytes: 1_000_000 });
    assert.ok(r.ok);
    for (const rec of r.records) await driver.pipeInput(T.profilesRaw, String(rec.message.key), JSON.parse(String(rec.message.value)), rec.message.headers as Record<string, string>);
    return messageId;
  }
  const employ = async (id: string, positionId: string, end: string) => {
    await sim.upsertPosition(stilling(positionId, [[id, '2020-01-01', end]]));
    await driver.pipeInput(T.raw, `stillinger:${positionId}`, raw('stillinger', positionId));
  };
  const accounts = () => driver.readOutput<Account>(T.accounts).map((r) => r.value);
  const audits = () => driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  const guestKey = (sourceId: string) => profilePersonKey(`src:guest-portal:${sourceId}`);

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-12-01' });
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Sponsor'));
    await sim.upsertEmployee(ansatt('100002', 'Ola', 'Vert'));
    const deps = {
      appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ guestMaxDays: 180 }),
      emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 60_000,
      publishers: parsePublishersFile(publishersFile({ version: 'authority-1' })), ninHashKey: TEST_NIN_HASH_KEY,
    };
    driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, deadLetterTopic: T.dlq, startTime: Date.parse('2026-12-01T09:00:00Z') }).init();
    await employ('100001', '30000001', OPEN);
    await employ('100002', '30000002', OPEN);
    assert.deepEqual(accounts().map((a) => a.personId).sort(), ['100001', '100002']);
    audits();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('a guest whose sponsor is an active employee gets an account; when the sponsor stops, the guest loses it at once, with the sponsor\'s event as cause', async () => {
    await publish(guestProfile('gp-1', '100001', { givenName: 'Gina', familyName: 'Gjest' }));
    const [guest, ...more] = accounts();
    assert.equal(more.length, 0);
    assert.deepEqual([guest!.personId, guest!.userName, guest!.active, guest!.employeeNumber], [guestKey('gp-1'), 'gingje@uib.no', true, null]);
    assert.deepEqual((await driver.getStore<PersonState>('persons').get('100001'))?.sponsoring, [guestKey('gp-1')]);
    audits();

    await employ('100001', '30000001', '2026-11-30'); // the sponsor's holding ended yesterday
    const after = accounts();
    assert.deepEqual(after.map((a) => [a.personId, a.active]).sort(), [['100001', false], [guestKey('gp-1'), false]]);
    const guestBlock = audits().find((a) => a.employeeId === guestKey('gp-1') && a.decision === 'block')!;
    assert.equal(guestBlock.cause.kind, 'stillinger');
    assert.equal(guestBlock.cause.id, '30000001');
    assert.match(guestBlock.detail, /sponsor 100001 holds no active employee affiliation/);

    await employ('100001', '30000001', OPEN); // re-hired: the guest's account comes back, same id
    const back = accounts().filter((a) => a.personId === guestKey('gp-1'));
    assert.deepEqual(back.map((a) => [a.id, a.active]), [[guest!.id, true]]);
  });

  test('an unknown sponsor gives no account; changing to an active sponsor gives one', async () => {
    audits();
    await publish(guestProfile('gp-2', '999999', { givenName: 'Ukjent', familyName: 'Sponsor' }));
    assert.deepEqual(accounts(), []);
    const none = audits().filter((a) => a.employeeId === guestKey('gp-2')).at(-1)!;
    assert.match(none.detail, /sponsor 999999 holds no active employee affiliation/);
    await publish(guestProfile('gp-2', '100002', { givenName: 'Ukjent', familyName: 'Sponsor' }));
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]), [[guestKey('gp-2'), true]]);
  });

  test('a stay ending more than guestMaxDays ahead counts only from the day it comes within reach (a date timer)', async () => {
    audits();
    await publish(guestProfile('gp-3', '100002', { givenName: 'Lang', familyName: 'Besok', guest: { sponsor: '100002', start: '2026-12-01', end: '2027-12-31' } }));
    assert.deepEqual(accounts(), []);
    assert.match(audits().at(-1)!.detail, /ends more than 180 days ahead \(policy guestMaxDays\); it counts from 2027-07-04/);
    await driver.setWallClockTime(Date.parse('2027-07-03T09:00:00Z'));
    assert.deepEqual(accounts().filter((a) => a.personId === guestKey('gp-3')), []);
    await driver.setWallClockTime(Date.parse('2027-07-04T09:00:00Z'));
    assert.deepEqual(accounts().filter((a) => a.personId === guestKey('gp-3')).map((a) => a.active), [true]);
  });
});
