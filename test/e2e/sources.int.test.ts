/**
 * One person across sources, end to end on the real Kafka broker and RabbitMQ: a student published
 * by FS over HTTP gets an account (SCIM, a CREATE notify event, the decision in the publisher's view
 * of its message); the same person hired later in DFØ keeps that account — one id, one username —
 * and gains the employee number; a student and a DFØ hire of one nin arriving at once make one
 * account; the nin is in no SCIM answer and no record the service writes after validation.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { eventually } from '../support/brokers.ts';
import { publishersFile, studentProfile, removePublishInput, TEST_NIN_HASH_KEY } from '../support/publishers.ts';
import { runCli } from '../support/cli.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';

const FS_TOKEN = 'fs-token-0123456789abcdef';
const SELF_TOKEN = 'self-service-token-0123456789';
const GUEST_TOKEN = 'guest-portal-token-0123456789';
const CHANGES_TOKEN = 'changes-token-0123456789abcdef';
const OPEN = '9999-12-31';

describe('one person across sources (FS and DFØ → one account)', () => {
  /** Every line the service logs, at debug level: the nin must be in none of them. */
  const logLines: string[] = [];
  let stack: Stack;
  let dir: string;
  let exchange: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iga-sources-'));
    await writeFile(join(dir, 'publishers.json'), publishersFile({ version: 'sources-e2e-1' }));
    exchange = `publish-${Date.now().toString(36)}`;
    stack = await startStack({
      start: '2026-12-01T10:00:00Z', log: pino({ level: 'debug', base: { service: 'iga-stream' } }, { write: (line: string) => { logLines.push(line); } }),
      env: {
        IGA_PUBLISHERS_FILE: join(dir, 'publishers.json'), IGA_NIN_HASH_KEY: TEST_NIN_HASH_KEY, IGA_PUBLISH_PORT: '0', IGA_PUBLISH_HOST: '127.0.0.1',
        IGA_PUBLISH_TOKENS: `fs:${FS_TOKEN},self-service:${SELF_TOKEN},guest-portal:${GUEST_TOKEN}`, IGA_CHANGES_PORT: '0', IGA_CHANGES_TOKENS: `publishers:${CHANGES_TOKEN}`, IGA_AMQP_EXCHANGE_PUBLISH: exchange,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await removePublishInput(stack.appId, exchange, dir);
  });

  const publish = async (publisher: string, token: string, profile: unknown, messageId: string) => {
    const res = await fetch(`${stack.service.publishUrl}/publish/${publisher}/profiles`, {
      method: 'POST', body: JSON.stringify(profile), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-message-id': messageId },
    });
    assert.equal(res.status, 201);
  };
  const publishStudent = (profile: unknown, messageId: string) => publish('fs', FS_TOKEN, profile, messageId);
  const changes = async (messageId: string) => {
    const res = await fetch(`${stack.service.changesUrl}/changes?messageId=${encodeURIComponent(messageId)}`, { headers: { authorization: `Bearer ${CHANGES_TOKEN}` } });
    return await res.json() as any;
  };
  const users = async () => ((await stack.scim('/Users?count=1000')).body.Resources ?? []) as any[];
  const usersNamed = async (displayName: string) => (await users()).filter((u) => u.displayName === displayName);
  const hire = async (id: string, given: string, family: string, nin: string, positionId: string) => {
    await stack.sim.upsertEmployee(ansatt(id, given, family, { fnr: nin }));
    await stack.sim.upsertPosition(stilling(positionId, [[id, '2026-01-01', OPEN]]));
    await stack.sim.publish('stillinger', positionId);
  };
  const EMPLOYEE = 'no:edu:scim:user';

  test('a student from FS gets an account; hired later in DFØ, the person keeps it: one id, one username, the employee number added', async () => {
    const nin = '05060712345';
    await publishStudent(studentProfile('fs-e2e-1', { nin, givenName: 'Siri', familyName: 'Studentsen' }), 'fs-e2e-1');
    const [student] = await eventually('the student\'s account', async () => { const u = await usersNamed('Siri Studentsen'); return u.length > 0 ? u : undefined; });
    assert.equal(student.userName, 'sirstu@uib.no');
    assert.equal(student.active, true);
    assert.equal(student[EMPLOYEE]?.employeeNumber, undefined);
    assert.deepEqual([student[EMPLOYEE].studentNumber, student[EMPLOYEE].eduPersonAffiliation], ['500001', ['student']]);
    const view = await eventually('the decision in the publisher\'s view', async () => {
      const res = await fetch(`${stack.service.changesUrl}/changes?messageId=fs-e2e-1`, { headers: { authorization: `Bearer ${CHANGES_TOKEN}` } });
      const body = await res.json() as any;
      return body.decisions?.some((d: any) => d.decision === 'create') ? body : undefined;
    });
    assert.equal(view.validation.state, 'valid');

    await hire('100050', 'Siri', 'Studentsen', nin, '30000050');
    const hired = await eventually('the employee number on the same account', async () => {
      const u = (await stack.scim(`/Users/${student.id}`)).body;
      return u[EMPLOYEE]?.employeeNumber === '100050' ? u : undefined;
    });
    assert.deepEqual([hired.id, hired.userName, hired.active], [student.id, student.userName, true]);
    assert.deepEqual(hired[EMPLOYEE].eduPersonAffiliation, ['employee', 'student'], 'both affiliations');
    const byStudentNumber = (await stack.scim('/Users?filter=' + encodeURIComponent('no:edu:scim:user:studentNumber eq "500001"'))).body;
    assert.ok(byStudentNumber.Resources?.some((u: any) => u.id === student.id), 'SCIM filters on the student number');
    await stack.quiesce();
    assert.equal((await usersNamed('Siri Studentsen')).length, 1, 'one account');
    const notifies = stack.events.filter((e) => e.body.resourceUris.some((u) => u.endsWith(student.id)));
    assert.deepEqual(notifies.map((e) => e.body.type), ['CREATE', 'MODIFY']);
    // Explain (by the username) shows which source gave which affiliation, and the DFØ side.
    const explained = await eventually('explain to have the person', async () => { const r = await stack.admin('/explain/sirstu'); return r.status === 200 && r.body.sources ? r.body : undefined; });
    assert.deepEqual(explained.sources.affiliations.map((a: any) => [a.kind, a.id, a.source, a.counts]), [['student', 'BAMAT', 'fs', true]]);
    assert.equal(explained.sources.dfoSide, '100050');
    assert.match(explained.person.employeeId, /^p-/, 'the person first known from FS');
  }, 60_000);

  test('a student and a DFØ hire of one nin arriving at once make one person and one account, with both sides', async () => {
    const nin = '06070812345';
    await Promise.all([
      publishStudent(studentProfile('fs-e2e-2', { nin, givenName: 'Rask', familyName: 'Rase' }), 'fs-e2e-2'),
      hire('100061', 'Rask', 'Rase', nin, '30000061'),
    ]);
    await eventually('the account with the employee number', async () => (await usersNamed('Rask Rase')).find((u) => u[EMPLOYEE]?.employeeNumber === '100061'));
    await stack.quiesce();
    const accounts = await usersNamed('Rask Rase');
    assert.equal(accounts.length, 1, accounts.map((a) => `${a.id} ${a.userName}`).join(', '));
    const ids = new Set((await stack.readTopic(topicNames(stack.appId).accounts)).filter((r) => r.value.displayName === 'Rask Rase').map((r) => r.key));
    assert.equal(ids.size, 1, 'the accounts topic never had a second account for the person');
  }, 60_000);

  test('a self-service preferred name changes displayName and emits MODIFY; a self-service profile that also sets the employee number is rejected whole, tagged with the reason', async () => {
    const [student] = await usersNamed('Siri Studentsen');
    assert.ok(student, 'the student of the first test');
    await publish('self-service', SELF_TOKEN, { sourceId: 'ss-e2e-2', link: { employeeNumber: '100050' }, preferredName: 'Sissi' }, 'ss-e2e-2');
    const renamed = await eventually('the preferred name', async () => { const u = (await stack.scim(`/Users/${student.id}`)).body; return u.displayName === 'Sissi Studentsen' ? u : undefined; });
    assert.deepEqual([renamed.name.givenName, renamed.name.formatted, renamed.userName], ['Siri', 'Siri Studentsen', student.userName], 'the name itself stays; only displayName changes');
    const modify = await eventually('the MODIFY', async () => stack.events.find((e) => e.body.type === 'MODIFY' && e.body.resourceUris.some((u) => u.endsWith(student.id)) && e.body.attributes?.includes('displayName')));
    assert.deepEqual(modify.body.attributes, ['displayName']);
    const view = await eventually('the change in the publisher\'s view', async () => { const v = await changes('ss-e2e-2'); return v.changes?.length > 0 ? v : undefined; });
    assert.equal(view.decisions.at(-1).decision, 'modify');

    await publish('self-service', SELF_TOKEN, { sourceId: 'ss-e2e-3', link: { employeeNumber: '100050' }, preferredName: 'Sis', employeeNumber: '100099' }, 'ss-e2e-3');
    const refused = await eventually('the verdict', async () => { const v = await changes('ss-e2e-3'); return v.validation?.state === 'invalid' ? v : undefined; });
    assert.deepEqual(refused.validation.reasons, ['authority: employeeNumber: owned by dfo; self-service may not set it']);
    await stack.quiesce();
    assert.equal((await stack.scim(`/Users/${student.id}`)).body.displayName, 'Sissi Studentsen', 'nothing of it was applied');
  }, 60_000);

  test('a guest gets an account only while the sponsor is an active employee', async () => {
    await hire('100080', 'Vera', 'Vert', '07080912345', '30000080');
    await eventually('the sponsor\'s account', async () => (await usersNamed('Vera Vert'))[0]);
    await publish('guest-portal', GUEST_TOKEN, { sourceId: 'gp-e2e-1', givenName: 'Gunn', familyName: 'Gjest', guest: { sponsor: '100080', start: '2026-12-01', end: '2027-02-28' } }, 'gp-e2e-1');
    const [guest] = await eventually('the guest\'s account', async () => { const u = await usersNamed('Gunn Gjest'); return u.length > 0 ? u : undefined; });
    assert.equal(guest.active, true);
    // The sponsor's holding ends yesterday: the guest loses the account with the sponsor (through the brake, approved).
    await stack.sim.upsertPosition(stilling('30000080', [['100080', '2026-01-01', '2026-11-30']]));
    await stack.sim.publish('stillinger', '30000080');
    await eventually('the guest blocked', async () => (await stack.scim(`/Users/${guest.id}`)).body.active === false);
    // A guest whose sponsor is not an employee gets none.
    await publish('guest-portal', GUEST_TOKEN, { sourceId: 'gp-e2e-2', givenName: 'Ingen', familyName: 'Vert', guest: { sponsor: '100081', start: '2026-12-01', end: '2027-02-28' } }, 'gp-e2e-2');
    await eventually('the decision on it', async () => { const v = await changes('gp-e2e-2'); return v.decisions?.length > 0 ? v : undefined; });
    await stack.quiesce();
    assert.deepEqual(await usersNamed('Ingen Vert'), []);
  }, 60_000);

  test('an ambiguous match is held with the reason (the publisher\'s view says held) and released by an operator with the CLI; the profile then reaches the person', async () => {
    // A self-service profile linking to an employee number no account carries: never guessed.
    await publish('self-service', SELF_TOKEN, { sourceId: 'ss-e2e-1', link: { employeeNumber: '777777' }, preferredName: 'Ukjent' }, 'ss-e2e-1');
    const view = await eventually('the held tag in the publisher\'s view', async () => { const v = await changes('ss-e2e-1'); return v.status === 'held' ? v : undefined; });
    assert.deepEqual(view.matching.reasons, ['the profile links to an employee number no known person has']);
    assert.equal(view.complete, false);
    const env = { IGA_ADMIN_URL: stack.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN };
    const list = await eventually('the held profile in the admin list', async () => {
      const r = await runCli(['matches', 'list'], env);
      return r.code === 0 && r.stdout.includes('ss-e2e-1') ? r : undefined;
    });
    assert.match(list.stdout, /ss-e2e-1 {2}HELD since .* from self-service \(source id ss-e2e-1, matched by employeeNumber\)/);
    assert.match(list.stdout, /why {9}the profile links to an employee number no known person has/);
    const metrics = await (await fetch(`${stack.service.adminUrl}/metrics`)).text();
    assert.match(metrics, /^iga_matches_held 1$/m);

    // Released to the student-turned-employee of the first test (person 100050 is that person's DFØ side).
    const rel = await runCli(['matches', 'release', 'ss-e2e-1', '--to', '100050'], env);
    assert.equal(rel.code, 0, rel.stderr);
    assert.match(rel.stdout, /matches: ss-e2e-1 released to person 100050/);
    const released = await eventually('the released tag', async () => { const v = await changes('ss-e2e-1'); return v.matching?.state === 'released' && v.decisions.length > 0 ? v : undefined; });
    assert.equal(released.status, 'accepted');
    assert.deepEqual([released.matching.person, released.matching.by], ['100050', 'admin client ops']);
    assert.equal(released.decisions[0].cause.kind, 'profile');
    assert.match((await runCli(['matches', 'list'], env)).stdout, /No profiles are held/);
    const again = await runCli(['matches', 'release', 'ss-e2e-1', '--new'], env);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /no profile with message id "ss-e2e-1" is held/);
  }, 60_000);

  test('the nin is in no SCIM answer, no record the service writes after validation, and no log line (debug level)', async () => {
    await stack.quiesce();
    const everything = JSON.stringify(await users());
    const t = topicNames(stack.appId);
    for (const nin of ['05060712345', '06070812345']) assert.ok(!everything.includes(nin), 'SCIM');
    const student = '05060712345';
    for (const topic of [t.personDirectory, t.accounts, t.notify, t.changeStatus, t.dlq]) {
      for (const r of await stack.readTopic(topic)) assert.ok(!r.key.includes(student) && !JSON.stringify(r.value).includes(student), `${topic} ${r.key}`);
    }
    // The log at debug level, the directory's lines included: no nin of the test in any line.
    assert.ok(logLines.some((l) => l.includes('profile matched to a person')), 'the directory\'s debug lines were captured');
    for (const nin of ['05060712345', '06070812345', '07080912345']) assert.deepEqual(logLines.filter((l) => l.includes(nin)), [], `the log never holds ${nin}`);
  }, 60_000);
});
