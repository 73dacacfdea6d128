/**
 * The BOTT DFØ integration test (the universities' acceptance test of a DFØ integration: holders of
 * a position get accounts, duplicates and unknown employees change nothing, future starts, ends and
 * gyldigEtter are acted on when their day comes, removal blocks, name changes modify, malformed
 * messages are dead-lettered), end to end: DFØ notifications through
 * RabbitMQ, the real Kafka broker and the DFØ simulator; checked on what leaves the system —
 * notify events on the out exchange and SCIM responses.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually } from '../support/brokers.ts';
import { ansatt, startStack, stilling, type Stack } from './stack.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { testCommitMode } from '../support/commitMode.ts';

const P1 = '30000001';
const P2 = '30000002';
const OPEN = '9999-12-31';

// The commit mode: IGA_TEST_PROCESSING_GUARANTEE (test/support/commitMode.ts).
describe(`BOTT DFØ integration scenario (${testCommitMode()})`, () => {
  let s: Stack;
  const creates = () => s.events.filter((e) => e.body.type === 'CREATE');
  const modifies = () => s.events.filter((e) => e.body.type === 'MODIFY');
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];
  const byUserName = async (userName: string) => (await s.scim(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.Resources?.[0];
  const idOf = (e: { body: { resourceUris: string[] } }) => e.body.resourceUris[0]!.split('/').pop()!;

  beforeAll(async () => {
    s = await startStack({ start: '2026-03-02T09:00:00Z' });
    await s.sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await s.sim.upsertEmployee(ansatt('100002', 'Ola', 'Nordmann'));
    await s.sim.upsertEmployee(ansatt('100003', 'Åse', 'Ødegård'));
    await s.sim.upsertEmployee(ansatt('100004', 'Per', 'Fortid'));
    await s.sim.upsertEmployee(ansatt('100005', 'Karin', 'Norheim'));
    await s.sim.upsertPosition(stilling(P1, [
      ['100001', '2020-01-01', OPEN], // current
      ['100002', '2025-01-01', OPEN], // current
      ['100003', '2026-03-05', OPEN], // future holder
      ['100004', '2019-01-01', '2020-12-31'], // past holder
    ]));
    await s.sim.upsertPosition(stilling(P2, [['100005', '2024-01-01', '2026-03-06'], ['100001', '2021-01-01', OPEN]]));
  });
  afterAll(async () => { await s?.close(); });

  test('a position with several holders creates one account per current holder (CREATE, no attributes)', async () => {
    await s.sim.publish('stillinger', P1);
    await s.sim.publish('stillinger', P2);
    await eventually('3 CREATE events', () => creates().length >= 3);
    await s.quiesce();
    assert.equal(creates().length, 3, 'current holders only: not the past or the future holder');
    for (const e of creates()) {
      assert.equal(e.body.attributes, undefined);
      assert.deepEqual(e.body.schemas, ['urn:ietf:params:scim:schemas:notify:2.0:Event']);
      assert.match(e.body.resourceUris[0]!, /^https:\/\/gw-uib\.intark\.uh-it\.no\/iga\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
      assert.equal(e.routingKey, 'no.uib.iga.scim.user.create');
      assert.equal(e.contentType, 'application/json');
      assert.equal(e.persistent, true);
      assert.equal(e.messageId, `${idOf(e)}:v1`);
    }
    const kari = await user('100001');
    assert.equal(kari.displayName, 'Kari Nordmann');
    assert.equal(kari.active, true);
    assert.equal(kari['no:edu:scim:user'].employeeNumber, '100001');
    assert.equal(kari['no:edu:scim:user'].accountType, 'primary');
    assert.equal(kari['no:edu:scim:user'].eduPersonPrincipalName, kari.userName);
    assert.deepEqual(kari.emails.map((m: { value: string; type: string }) => [m.value, m.type]), [[kari.userName, 'work']]);
    assert.match(kari.userName, /^[a-z][a-z0-9]{0,11}@uib\.no$/);
    assert.equal(kari.meta.location, `https://gw-uib.intark.uh-it.no/iga/scim/v2/Users/${kari.id}`);
    // Same stem (kar+nor), one deployment-wide owner: two different names.
    const karin = await user('100005');
    assert.deepEqual(new Set([kari.userName, karin.userName]), new Set(['karnor@uib.no', 'karnor2@uib.no']));
    assert.equal((await user('100002')).userName, 'olanor@uib.no');
    assert.equal(await user('100003'), undefined, 'future holder has no account yet');
    assert.equal(await user('100004'), undefined, 'past holder never gets one');
    const byId = await s.scim(`/Users/${kari.id}`);
    assert.equal(byId.status, 200);
    assert.equal(byId.body.userName, kari.userName);
  });

  test('a duplicated message creates no second account', async () => {
    const before = s.events.length;
    await s.sim.publish('stillinger', P1);
    await s.sim.publish('stillinger', P1, { padId: false });
    await s.quiesce();
    assert.equal(s.events.length, before);
  });

  test('a future holder gets the account when the start day comes (store-backed timer)', async () => {
    s.clock.set('2026-03-05T06:00:00Z'); // 07:00 in Oslo
    await eventually('CREATE for the future holder', () => creates().length === 4);
    await s.quiesce();
    const ase = await user('100003');
    assert.equal(ase.userName, 'aseode@uib.no');
    assert.equal(ase.displayName, 'Åse Ødegård');
  });

  test('removal from a position blocks the account (MODIFY active; employeeNumber hidden)', async () => {
    const ola = await user('100002');
    await s.sim.upsertPosition(stilling(P1, [['100001', '2020-01-01', OPEN], ['100003', '2026-03-05', OPEN], ['100004', '2019-01-01', '2020-12-31']]));
    await s.sim.publish('stillinger', P1);
    await eventually('MODIFY for the removed holder', () => modifies().find((e) => idOf(e) === ola.id));
    const e = modifies().find((m) => idOf(m) === ola.id)!;
    assert.ok(e.body.attributes!.includes('active'));
    assert.equal(e.routingKey, 'no.uib.iga.scim.user.modify');
    assert.equal(e.messageId, `${ola.id}:v2`);
    await s.quiesce();
    const now = (await s.scim(`/Users/${ola.id}`)).body;
    assert.equal(now.active, false);
    assert.equal(now['no:edu:scim:user'].employeeNumber, undefined);
    assert.equal(now.userName, ola.userName);
  });

  test('one person in several positions keeps the account while one position remains', async () => {
    const kari = await user('100001');
    await s.sim.upsertPosition(stilling(P2, [['100005', '2024-01-01', '2026-03-06']]));
    await s.sim.publish('stillinger', P2);
    await s.quiesce();
    assert.equal(modifies().filter((e) => idOf(e) === kari.id).length, 0);
    assert.equal((await s.scim(`/Users/${kari.id}`)).body.active, true);
  });

  test('a name change of a known employee (zero-padded id) emits MODIFY with the changed attributes', async () => {
    const kari = await user('100001');
    await s.sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann-Hansen'));
    await s.sim.publish('ansatte', '100001', { padId: true });
    await eventually('MODIFY for the renamed employee', () => modifies().find((e) => idOf(e) === kari.id));
    const e = modifies().find((m) => idOf(m) === kari.id)!;
    assert.ok(e.body.attributes!.includes('displayName'));
    assert.ok(!e.body.attributes!.includes('active'));
    await s.quiesce();
    const now = (await s.scim(`/Users/${kari.id}`)).body;
    assert.equal(now.displayName, 'Kari Nordmann-Hansen');
    assert.equal(now.userName, kari.userName, 'userName never changes');
  });

  test('a name change of an unknown employee is ignored', async () => {
    const before = s.events.length;
    await s.sim.upsertEmployee(ansatt('100099', 'Ukjent', 'Person'));
    await s.sim.publish('ansatte', '100099');
    await s.quiesce();
    assert.equal(s.events.length, before);
    assert.equal(await user('100099'), undefined);
  });

  test('a malformed message is dead-lettered with the reason and the original bytes; the service keeps running', async () => {
    await s.sim.publishRaw('ansatte', Buffer.from('{"id": "abc", this is not json'));
    const dlq = await eventually('a DLQ record', async () => (await s.readTopic(topicNames(s.appId).dlq)).find((r) => r.value?.bodyBase64));
    assert.match(dlq.value.reason, /json/i);
    assert.equal(Buffer.from(dlq.value.bodyBase64, 'base64').toString(), '{"id": "abc", this is not json');
    // Still alive: a real change goes through.
    const ola = await user('100002') ?? (await byUserName('olanor@uib.no'));
    await s.sim.upsertPosition(stilling(P1, [['100001', '2020-01-01', OPEN], ['100002', '2026-03-05', OPEN], ['100003', '2026-03-05', OPEN]]));
    await s.sim.publish('stillinger', P1);
    await eventually('reactivation MODIFY', () => s.events.find((e) => e.messageId === `${ola.id}:v3`));
    await s.quiesce();
    const now = (await s.scim(`/Users/${ola.id}`)).body;
    assert.equal(now.active, true, 'reactivated');
    assert.equal(now.userName, 'olanor@uib.no', 'same username');
    assert.equal(now['no:edu:scim:user'].employeeNumber, '100002');
  });

  test('an end date is acted on when the day after comes, also across a restart', async () => {
    const karin = await user('100005');
    await s.restart();
    assert.equal((await s.scim(`/Users/${karin.id}`)).body.active, true, 'SCIM answers the same after a restart');
    s.clock.set('2026-03-07T06:00:00Z');
    await eventually('block after the end date', () => modifies().find((e) => idOf(e) === karin.id));
    await s.quiesce();
    assert.equal((await s.scim(`/Users/${karin.id}`)).body.active, false);
  });

  test('a future gyldigEtter holds the event until that day', async () => {
    await s.sim.upsertEmployee(ansatt('100003', 'Åse', 'Ødegård-Berg'));
    await s.sim.publish('ansatte', '100003', { gyldigEtter: '20260310' });
    await s.quiesce();
    const ase = await user('100003');
    assert.equal(ase.displayName, 'Åse Ødegård');
    s.clock.set('2026-03-10T07:00:00Z');
    await eventually('the held event to be processed', async () => (await s.scim(`/Users/${ase.id}`)).body.displayName === 'Åse Ødegård-Berg');
  });

  test('every notify event has a unique, stable message id and no account was created twice', async () => {
    await s.quiesce();
    const ids = s.events.map((e) => e.messageId);
    assert.equal(new Set(ids).size, ids.length);
    const created = creates().map(idOf);
    assert.equal(new Set(created).size, created.length);
    const all = (await s.scim('/Users?count=200')).body;
    const names = all.Resources.map((u: { userName: string }) => u.userName);
    assert.equal(new Set(names).size, names.length);
    assert.equal(all.totalResults, 4);
  });
});
