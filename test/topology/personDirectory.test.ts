/**
 * One person across sources, through the whole topology in the test driver with the real DFØ
 * simulator over HTTP: valid profiles are matched to a person by the person directory (F, G), a
 * student from FS gets an account, the same nin hired in DFØ later becomes that person's DFØ side
 * (one account id, one username, the employee number added), DFØ first and the student after join
 * one person too, and the nin is never in a key or value the topology writes for a profile.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { DEFAULT_PUBLISH_LIMITS, profileRecords } from '../../connectors/publish/records.ts';
import type { Account } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import { ninDirectoryKey, profilePersonKey, releasedPersonKey, type DirectoryRecord, type HeldMatch } from '../../src/topology/contracts/directory.ts';
import type { MatchingTag } from '../../src/topology/contracts/changeStatus.ts';
import type { NotifyRecord } from '../../src/topology/contracts/notify.ts';
import { parsePublishersFile } from '../../src/topology/contracts/publishers.ts';
import type { DirectoryEntry, PersonState } from '../../src/topology/contracts/stores.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { ansatt, stilling } from '../e2e/stack.ts';
import { publishersFile, studentProfile, TEST_NIN_HASH_KEY } from '../support/publishers.ts';

const APP = 'directory-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';
const raw = (kind: 'ansatte' | 'stillinger', id: string) => ({ kind, id, notBefore: null, source: { messageId: `m-${kind}-${id}` } });
/** Every topic the topology writes past the publisher's own input (which holds the profile as sent). */
const WRITTEN = [T.personDirectory, T.personEvents, T.accounts, T.notify, T.audit, T.usernameClaims, T.changeStatus, T.dlq, T.brake];

describe('person directory: one person across sources', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  let seq = 0;

  /** Publishes a profile as the input does (onto the raw profile topic); validation and everything after it run. */
  async function publish(publisher: string, profile: unknown, messageId = `msg-${++seq}`): Promise<string> {
    const r = profileRecords(Buffer.from(JSON.stringify(profile)), { publisher, transport: 'http', exchange: null, routingKey: null, contentType: 'application/json', messageId, receivedAt: new Date(driver.currentTime).toISOString() }, { limits: DEFAULT_PUBLISH_LIMITS, maxRecordBytes: 1_000_000 });
    assert.ok(r.ok);
    for (const rec of r.records) await driver.pipeInput(T.profilesRaw, String(rec.message.key), JSON.parse(String(rec.message.value)), rec.message.headers as Record<string, string>);
    return messageId;
  }
  const hire = async (id: string, given: string, family: string, nin: string, positionId: string) => {
    await sim.upsertEmployee(ansatt(id, given, family, { fnr: nin }));
    await sim.upsertPosition(stilling(positionId, [[id, '2026-01-01', OPEN]]));
    await driver.pipeInput(T.raw, `stillinger:${positionId}`, raw('stillinger', positionId));
  };
  const accounts = () => driver.readOutput<Account>(T.accounts).map((r) => r.value);
  const person = (key: string) => driver.getStore<PersonState>('persons').get(key);
  /** Reads away what earlier tests left on the output topics. */
  const drain = () => { for (const topic of WRITTEN) driver.readOutput(topic); };

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-12-01' });
    const deps = {
      appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'p1' }),
      emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 60_000,
      publishers: parsePublishersFile(publishersFile({ version: 'authority-1' })), ninHashKey: TEST_NIN_HASH_KEY,
    };
    driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, deadLetterTopic: T.dlq, startTime: Date.parse('2026-12-01T09:00:00Z') }).init();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('a student from FS gets an account; the same nin later hired in DFØ keeps it: one id, one username, the employee number added', async () => {
    const nin = '01020312345';
    const messageId = await publish('fs', studentProfile('fs-1', { nin, givenName: 'Sara', familyName: 'Student' }));
    const [created, ...more] = accounts();
    assert.equal(more.length, 0);
    const key = profilePersonKey(ninDirectoryKey(TEST_NIN_HASH_KEY, nin));
    assert.match(key, /^p-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([created!.personId, created!.userName, created!.active, created!.displayName, created!.employeeNumber], [key, 'sarstu@uib.no', true, 'Sara Student', null]);
    assert.deepEqual([created!.affiliationKinds, created!.studentNumber], [['student'], '500001']);
    const audits = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
    const create = audits.find((a) => a.decision === 'create')!;
    assert.equal(create.employeeId, key);
    assert.equal(create.cause.kind, 'username');
    assert.deepEqual([create.cause.via?.kind, create.cause.via?.id], ['profile', messageId], 'the account links back to the publisher\'s message');
    assert.deepEqual((await person(key))?.sources?.fs?.attributes.studentNumber, '500001');

    await hire('100050', 'Sara', 'Student', nin, '30000050');
    const after = accounts();
    assert.ok(after.length >= 1);
    assert.deepEqual([...new Set(after.map((a) => a.id))], [created!.id], 'no second account');
    const last = after.at(-1)!;
    assert.deepEqual([last.userName, last.personId, last.employeeNumber, last.active, last.version], [created!.userName, key, '100050', true, 2]);
    const notify = driver.readOutput<NotifyRecord>(T.notify).map((r) => r.value).at(-1)!;
    assert.deepEqual([notify.type, notify.attributes], ['MODIFY', ['no:edu:scim:user:employeeNumber', 'no:edu:scim:user:eduPersonAffiliation']]);
    assert.deepEqual([last.affiliationKinds, last.studentNumber], [['employee', 'student'], '500001']);
    assert.deepEqual((await person('100050'))?.directory, { status: 'merged', into: key });
    const joined = await person(key);
    assert.equal(joined?.dfoSide, '100050');
    assert.deepEqual(joined?.affiliations.map((a) => a.positionId), ['30000050']);

    // A later DFØ change of the employee reaches the one account (the DFØ side hands it on).
    await sim.upsertEmployee(ansatt('100050', 'Sara', 'Studentsen', { fnr: nin }));
    await driver.pipeInput(T.raw, 'ansatte:100050', raw('ansatte', '100050'));
    const renamed = accounts();
    assert.deepEqual(renamed.map((a) => [a.id, a.familyName]), [[created!.id, 'Studentsen']], 'DFØ owns the names first (authority: dfo, fs, guest-portal)');

    // A later position change of the DFØ side: it stays the DFØ side (its directory standing is kept), and the one account follows.
    await sim.upsertPosition(stilling('30000051', [['100050', '2026-06-01', OPEN]]));
    await driver.pipeInput(T.raw, 'stillinger:30000051', raw('stillinger', '30000051'));
    assert.deepEqual((await person('100050'))?.directory, { status: 'merged', into: key });
    assert.deepEqual((await person(key))?.affiliations.map((a) => a.positionId), ['30000050', '30000051']);
    assert.deepEqual(accounts(), [], 'nothing SCIM shows changed, and no account of 100050 itself');
  });

  test('DFØ first, the student after: the employee registers its nin before claiming a name, and the student\'s profile joins that person', async () => {
    drain();
    const nin = '02030412345';
    await hire('100060', 'Per', 'Ansatt', nin, '30000060');
    const audits = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
    assert.deepEqual(audits.map((a) => a.rule).slice(0, 3), ['awaiting-directory', 'request-username', 'create-granted']);
    assert.equal(audits[1]!.cause.kind, 'directory');
    const [account, ...more] = accounts();
    assert.equal(more.length, 0);
    assert.deepEqual([account!.personId, account!.employeeNumber], ['100060', '100060']);
    assert.deepEqual((await person('100060'))?.directory, { status: 'owner' });

    assert.equal(account!.affiliationKinds, undefined, 'a person only DFØ knows: the record is as before publishers');
    await publish('fs', studentProfile('fs-2', { nin, givenName: 'Per', familyName: 'Ansatt' }));
    const joined = accounts();
    assert.deepEqual(joined.map((a) => [a.id, a.affiliationKinds, a.studentNumber]), [[account!.id, ['employee', 'student'], '500001']], 'the same account gains the student affiliation and number');
    assert.deepEqual(driver.readOutput<NotifyRecord>(T.notify).map((r) => r.value.attributes).at(-1), ['no:edu:scim:user:studentNumber', 'no:edu:scim:user:eduPersonAffiliation']);
    assert.equal((await person('100060'))?.sources?.fs?.sourceId, 'fs-2');
    assert.deepEqual(driver.readOutput(T.dlq), []);
  });

  test('two profiles and a DFØ registration of one nin, in any order, make one person: the directory is one task per nin and the first owns it', async () => {
    drain();
    const nin = '03040512345';
    const key = ninDirectoryKey(TEST_NIN_HASH_KEY, nin);
    await publish('fs', studentProfile('fs-3', { nin, givenName: 'Tor', familyName: 'Tvilling' }));
    await publish('self-service', { sourceId: 'ss-3', nin, preferredName: 'Toto' });
    const made = accounts();
    assert.deepEqual([...new Set(made.map((a) => a.id))].length, 1, 'one account');
    assert.deepEqual(made.map((a) => a.displayName), ['Tor Tvilling', 'Toto Tvilling'], 'the self-service preferred name becomes the display name');
    const entry = await driver.getStore<DirectoryEntry>('person-directory').get(key);
    assert.equal(entry?.person, made[0]!.personId);
    const p = await person(made[0]!.personId);
    assert.deepEqual(Object.keys(p?.sources ?? {}).sort(), ['fs', 'self-service']);
    // A DFØ person who already has an account and turns out to share the nin: a conflict, never a merge.
    const registration: DirectoryRecord = { type: 'dfo', employeeId: '100070', hasAccount: true, cause: { kind: 'ansatte', id: '100070', amqpMessageId: null, raw: null } };
    await driver.pipeInput(T.personDirectory, key, registration);
    const answer = driver.readOutput<{ type: string; result: string; person: string }>(T.personEvents).map((r) => r.value).filter((e) => e.type === 'directory').at(-1);
    assert.deepEqual([answer?.result, answer?.person], ['conflict', made[0]!.personId]);
    assert.equal((await driver.getStore<DirectoryEntry>('person-directory').get(key))?.person, made[0]!.personId, 'the first owner keeps the nin');
  });

  test('a profile that links to an employee number no account has is not guessed: held for an operator with the reason and tagged held; an operator releases it to a person', async () => {
    drain();
    const messageId = await publish('self-service', { sourceId: 'ss-9', link: { employeeNumber: '999999' }, preferredName: 'Ingen' });
    assert.deepEqual(driver.readOutput(T.dlq), []);
    const held = await driver.getStore<HeldMatch>('held-matches').get(messageId);
    assert.deepEqual([held?.reason, held?.candidates, held?.directoryKey, held?.publisher], ['the profile links to an employee number no known person has', [], 'emp:999999', 'self-service']);
    const tags = driver.readOutput<MatchingTag>(T.changeStatus).map((r) => r.value).filter((t) => t.destination === 'matching');
    assert.deepEqual(tags.map((t) => [t.state, t.messageId, t.reasons]), [['held', messageId, ['the profile links to an employee number no known person has']]]);
    assert.deepEqual(driver.readOutput<{ type: string }>(T.personEvents).filter((r) => r.value.type === 'source-profile'), []);

    // Released (as the admin API does: to every partition; here there is one) to the employee 100060.
    const release: DirectoryRecord = { type: 'release', messageId, to: { person: '100060' }, by: 'admin client ops', at: '2026-12-01T09:30:00.000Z' };
    await driver.pipeInput(T.personDirectory, 'emp:999999', release);
    assert.equal(await driver.getStore<HeldMatch>('held-matches').get(messageId), undefined);
    assert.equal((await person('100060'))?.sources?.['self-service']?.sourceId, 'ss-9');
    const released = driver.readOutput<MatchingTag>(T.changeStatus).map((r) => r.value).at(-1)!;
    assert.deepEqual([released.state, released.person, released.by], ['released', '100060', 'admin client ops']);
    const decision = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value).at(-1)!;
    assert.deepEqual([decision.employeeId, decision.cause.kind, decision.cause.id, decision.cause.releasedBy], ['100060', 'profile', messageId, 'admin client ops']);
    // A second release of it changes nothing.
    await driver.pipeInput(T.personDirectory, 'emp:999999', release);
    assert.deepEqual(driver.readOutput(T.audit), []);
  });

  test('a nin whose person has another employee number than the profile\'s link is held with both candidates; released as a new person, it gets its own', async () => {
    drain();
    // 100060 owns nin 02030412345 (test 2); a profile with that nin linking to employee 100050 disagrees.
    const messageId = await publish('self-service', { sourceId: 'ss-11', nin: '02030412345', link: { employeeNumber: '100050' }, preferredName: 'Tvil' });
    const held = await driver.getStore<HeldMatch>('held-matches').get(messageId);
    assert.equal(held?.reason, 'the keys disagree: nin finds 100060, employeeNumber finds 100050');
    assert.deepEqual(held?.candidates, ['100050', '100060']);
    assert.ok(!JSON.stringify(held).includes('02030412345'), 'never the nin');
    await driver.pipeInput(T.personDirectory, held!.directoryKey, { type: 'release', messageId, to: { newPerson: true }, by: 'admin client ops', at: '2026-12-01T09:31:00.000Z' } satisfies DirectoryRecord);
    const made = await person(releasedPersonKey(messageId));
    assert.equal(made?.sources?.['self-service']?.sourceId, 'ss-11');
  });

  test('a link to an employee number an account carries finds that person', async () => {
    drain();
    await publish('self-service', { sourceId: 'ss-10', link: { employeeNumber: '100060' }, preferredName: 'Perry' });
    assert.equal((await person('100060'))?.sources?.['self-service']?.sourceId, 'ss-10');
    assert.deepEqual(driver.readOutput(T.dlq), []);
  });

  test('publishers switched on: the first punctuation hands every DFØ person that never registered on once, so its nin and its account\'s links are in the directory', async () => {
    drain();
    // A person and account as a DFØ-only deployment left them (no directory standing), put in the stores directly.
    const nin = '08091012345';
    const employee = { id: '100090', givenName: 'Gammel', familyName: 'Ansatt', nin, externalUser: true, mainPositionId: null, startDate: '2020-01-01', endDate: null, secondaryPositions: [] };
    await driver.getStore<PersonState>('persons').put('100090', { employee, affiliations: [{ positionId: '30000090', startDate: '2020-01-01', endDate: null }], updatedAt: '2026-01-01T00:00:00.000Z' });
    const account: Account = { id: '5f0c2b1e-0000-4000-8000-000000000090', personId: '100090', userName: 'gamans@uib.no', active: true, givenName: 'Gammel', familyName: 'Ansatt', displayName: 'Gammel Ansatt', employeeNumber: '100090', created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z', version: 1 };
    await driver.getStore('accounts').put('100090', { status: 'issued', account });
    await driver.advanceWallClockTime(60_000);
    const directory = driver.getStore<DirectoryEntry>('person-directory');
    assert.equal((await directory.get(ninDirectoryKey(TEST_NIN_HASH_KEY, nin)))?.person, '100090');
    assert.equal((await directory.get(`acct:${account.id}`))?.person, '100090');
    assert.equal((await directory.get('emp:100090'))?.person, '100090');
    assert.deepEqual((await person('100090'))?.directory, { status: 'owner' });
    assert.deepEqual(accounts(), [], 'nothing about the account changed');
    assert.ok(await driver.getStore('timers').get('directory-backfill'), 'done once: the marker is set');
    const registrations = () => driver.readOutput<{ type: string }>(T.personDirectory).filter((r) => r.value.type === 'dfo').length;
    registrations();
    await driver.advanceWallClockTime(60_000);
    assert.equal(registrations(), 0, 'the next punctuation hands no one on');
  });

  test('the nin is never in a key or a value the topology writes after validation, nor in the directory\'s store', async () => {
    const nin = '04050612345';
    await publish('fs', studentProfile('fs-4', { nin, givenName: 'Nina', familyName: 'Nummer' }));
    for (const topic of WRITTEN) {
      // Outputs since the start of this test file, read afresh from the driver's log.
      for (const r of (driver as unknown as { log: Map<string, Array<{ key: string; value: Buffer | null }>> }).log.get(topic) ?? []) {
        assert.ok(!r.key.includes(nin) && !(r.value?.toString() ?? '').includes(nin), `${topic} ${r.key}`);
      }
    }
    for await (const [k, v] of driver.getStore<DirectoryEntry>('person-directory').range()) assert.ok(!k.includes(nin) && !JSON.stringify(v).includes(nin));
  });
});
