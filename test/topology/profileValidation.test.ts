import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { profileRecords, DEFAULT_PUBLISH_LIMITS } from '../../connectors/publish/records.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { ValidationTag } from '../../src/topology/contracts/changeStatus.ts';
import type { DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import type { ValidProfile } from '../../src/topology/contracts/profiles.ts';
import { parsePublishersFile } from '../../src/topology/contracts/publishers.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { guestProfile, publishersFile, sign, studentProfile, TEST_NIN_HASH_KEY, testKey, type TestKeys } from '../support/publishers.ts';

const APP = 'validation-test';
const t = topicNames(APP);

async function driverWith(fsKey: TestKeys | null) {
  const publishers = parsePublishersFile(publishersFile({ fsKey, version: 'authority-v1' }));
  // DFØ is never asked by the validation step; the source points nowhere.
  const topology = buildIgaTopology({ appId: APP, dfo: createDfoSource({ baseUrl: 'http://127.0.0.1:9/dfo', retry: { attempts: 1 } }), policy: makePolicy({}), emailDomain: 'uib.no', resourceUriPrefix: 'https://x', punctuateIntervalMs: 60_000, publishers, ninHashKey: TEST_NIN_HASH_KEY });
  return new TopologyTestDriver(topology, { appId: APP, deadLetterTopic: t.dlq, startTime: Date.parse('2026-12-01T10:00:00Z') }).init();
}

/** Publishes `body` as `publisher` the way the input does, straight onto the raw profile topic. */
async function publish(d: TopologyTestDriver, publisher: string, body: string, messageId: string): Promise<void> {
  const r = profileRecords(Buffer.from(body), { publisher, transport: 'http', exchange: null, routingKey: null, contentType: 'application/json', messageId, receivedAt: '2026-12-01T10:00:00.000Z' }, { limits: DEFAULT_PUBLISH_LIMITS, maxRecordBytes: 1_000_000 });
  assert.ok(r.ok);
  for (const rec of r.records) await d.pipeInput(t.profilesRaw, String(rec.message.key), JSON.parse(String(rec.message.value)), rec.message.headers as Record<string, string>);
}

describe('validation step (sub-topology E)', () => {
  test('without a publishers file the topology has no validation step (DFØ alone, sub-topologies A–D unchanged)', () => {
    const dfoOnly = buildIgaTopology({ appId: APP, dfo: createDfoSource({ baseUrl: 'http://127.0.0.1:9/dfo' }), policy: makePolicy({}), emailDomain: 'uib.no', resourceUriPrefix: 'https://x', punctuateIntervalMs: 60_000 });
    const withPublishers = buildIgaTopology({ appId: APP, dfo: createDfoSource({ baseUrl: 'http://127.0.0.1:9/dfo' }), policy: makePolicy({}), emailDomain: 'uib.no', resourceUriPrefix: 'https://x', punctuateIntervalMs: 60_000, publishers: parsePublishersFile(publishersFile()), ninHashKey: TEST_NIN_HASH_KEY });
    assert.equal(dfoOnly.subTopologies.length, 4);
    assert.deepEqual(withPublishers.subTopologies.slice(0, 4).map((s) => [s.id, s.sourceTopics]), dfoOnly.subTopologies.map((s) => [s.id, s.sourceTopics]));
    assert.deepEqual(withPublishers.subTopologies[4]!.sourceTopics, [t.profilesRaw]);
  });

  test('a valid profile is tagged valid and goes on to profiles.valid with its message id and the policy version; nothing is dead-lettered', async () => {
    const d = await driverWith(null);
    await publish(d, 'guest-portal', JSON.stringify(guestProfile('g-1', '100001')), 'msg-g1');
    const [tag] = d.readOutput<ValidationTag>(t.changeStatus);
    assert.equal(tag!.key, 'profile:msg-g1|validation');
    assert.deepEqual({ ...tag!.value, at: undefined }, { changeId: 'profile:msg-g1', destination: 'validation', state: 'valid', reasons: [], publisher: 'guest-portal', messageId: 'msg-g1', policyVersion: 'authority-v1', raw: `${t.profilesRaw}[0]@0`, at: undefined });
    const [valid] = d.readOutput<ValidProfile>(t.profilesValid);
    assert.equal(valid!.key, 'guest-portal:g-1');
    assert.equal(valid!.headers['iga-message-id'], 'msg-g1');
    assert.equal(valid!.value.messageId, 'msg-g1');
    assert.equal(valid!.value.policyVersion, 'authority-v1');
    assert.deepEqual(valid!.value.profile.guest, { sponsor: '100001', start: '2026-12-01', end: '2027-02-28' });
    assert.deepEqual(d.readOutput(t.dlq), []);
    await d.close();
  });

  test('a schema-invalid profile is tagged invalid with every reason and kept on the DLQ with its original bytes; the next one flows', async () => {
    const d = await driverWith(null);
    const body = '{"sourceId":"g-2", "givenName":"", "guest":{"sponsor":"x","start":"2027-01-01","end":"2026-01-01"}, "shoeSize": 44}';
    await publish(d, 'guest-portal', body, 'msg-bad');
    await publish(d, 'guest-portal', JSON.stringify(guestProfile('g-3', '100001')), 'msg-good');
    const tags = d.readOutput<ValidationTag>(t.changeStatus).map((r) => r.value);
    assert.deepEqual(tags.map((x) => [x.messageId, x.state]), [['msg-bad', 'invalid'], ['msg-good', 'valid']]);
    const reasons = tags[0]!.reasons;
    for (const expected of [/givenName: Too small/, /familyName: Invalid input/, /guest.sponsor: 1–11 digits/, /Unrecognized key: "shoeSize"/]) assert.ok(reasons.some((r) => expected.test(r)), `${expected} in ${reasons.join(' | ')}`);
    const [dead] = d.readOutput<DeadLetterRecord>(t.dlq);
    assert.equal(dead!.key, 'msg-bad');
    assert.equal(dead!.value.source, 'validation');
    assert.equal(dead!.value.publisher, 'guest-portal');
    assert.deepEqual(dead!.value.reasons, reasons);
    assert.equal(Buffer.from(dead!.value.bodyBase64, 'base64').toString(), body);
    assert.deepEqual(d.readOutput<ValidProfile>(t.profilesValid).map((r) => r.value.messageId), ['msg-good']);
    await d.close();
  });

  test('self-service setting the employee number is refused whole, naming the attribute and its owner; a preferred name alone is valid', async () => {
    const d = await driverWith(null);
    await publish(d, 'self-service', JSON.stringify({ sourceId: 'ss-1', link: { employeeNumber: '100001' }, preferredName: 'Kari', employeeNumber: '100002' }), 'ss-bad');
    await publish(d, 'self-service', JSON.stringify({ sourceId: 'ss-1', link: { employeeNumber: '100001' }, preferredName: 'Kari' }), 'ss-good');
    const tags = d.readOutput<ValidationTag>(t.changeStatus).map((r) => r.value);
    assert.deepEqual(tags[0]!.reasons, ['authority: employeeNumber: owned by dfo; self-service may not set it']);
    assert.equal(tags[1]!.state, 'valid');
    assert.deepEqual(d.readOutput<ValidProfile>(t.profilesValid).map((r) => [r.value.messageId, r.value.profile.preferredName]), [['ss-good', 'Kari']]);
    await d.close();
  });

  test('schema and authority reasons together: every one is listed', async () => {
    const d = await driverWith(null);
    await publish(d, 'guest-portal', JSON.stringify({ sourceId: 'g-9', givenName: 'A', familyName: 'B', studentNumber: '1' }), 'both');
    const [tag] = d.readOutput<ValidationTag>(t.changeStatus);
    assert.deepEqual(tag!.value.reasons, [
      'schema guest: guest: Invalid input: expected object, received undefined',
      'authority: studentNumber: owned by fs; guest-portal may not set it',
      'authority: guest: guest-portal must send it, and this profile lacks it',
    ]);
    await d.close();
  });

  test('a publisher with a key: a good signature is valid (signedBy its kid); a bad, foreign or missing signature is invalid with the reason', async () => {
    const key = testKey('fs-2026');
    const d = await driverWith(key);
    await publish(d, 'fs', JSON.stringify(sign(studentProfile('s-1'), key)), 'signed');
    const forged = sign(studentProfile('s-1', { studentNumber: '999' }), testKey('fs-2026'));
    await publish(d, 'fs', JSON.stringify(forged), 'forged');
    await publish(d, 'fs', JSON.stringify(studentProfile('s-1')), 'unsigned');
    const tags = d.readOutput<ValidationTag>(t.changeStatus).map((r) => r.value);
    assert.deepEqual(tags.map((x) => [x.messageId, x.state]), [['signed', 'valid'], ['forged', 'invalid'], ['unsigned', 'invalid']]);
    assert.deepEqual(tags[1]!.reasons, ['signature: bad signature: it does not verify with the publisher\'s key']);
    assert.match(tags[2]!.reasons[0]!, /^signature: fs signs its profiles \(keys fs-2026\); this one is not signed/);
    const [valid] = d.readOutput<ValidProfile>(t.profilesValid);
    assert.equal(valid!.value.signedBy, 'fs-2026');
    assert.equal(valid!.value.profile.studentNumber, '500001');
    assert.equal(d.readOutput(t.dlq).length, 2);
    await d.close();
  });

  test('a signed profile from a publisher without keys is invalid (it cannot be verified), and an unknown publisher is invalid', async () => {
    const d = await driverWith(null);
    await publish(d, 'guest-portal', JSON.stringify(sign(guestProfile('g-1', '1'), testKey('x'))), 'signed-no-key');
    await publish(d, 'payroll', JSON.stringify({ sourceId: 'p' }), 'who');
    const tags = d.readOutput<ValidationTag>(t.changeStatus).map((r) => r.value);
    assert.match(tags[0]!.reasons[0]!, /no key is configured for guest-portal/);
    assert.deepEqual(tags[1]!.reasons, ['publisher: payroll is not configured (policy authority-v1)']);
    await d.close();
  });

  test('a record that is not a raw profile at all is dead-lettered by the runtime with the reason, and processing goes on', async () => {
    const d = await driverWith(null);
    await d.pipeInput(t.profilesRaw, 'x', { hello: 'world' });
    await publish(d, 'guest-portal', JSON.stringify(guestProfile('g-1', '1')), 'after');
    const dlq = d.readOutput<{ reason: string }>(t.dlq);
    assert.match(dlq[0]!.value.reason, /invalid raw profile record/);
    assert.deepEqual(d.readOutput<ValidationTag>(t.changeStatus).map((r) => r.value.state), ['valid']);
    await d.close();
  });
});

describe('the publishers file', () => {
  test('a version is derived from the content when none is given, and changes with it', () => {
    const a = parsePublishersFile(publishersFile());
    const b = parsePublishersFile(publishersFile({ fsKey: testKey('k') }));
    assert.match(a.version, /^a-[0-9a-f]{10}$/);
    assert.notEqual(a.version, b.version);
    assert.equal(parsePublishersFile(JSON.stringify(JSON.parse(publishersFile()), null, 2)).version, a.version);
  });

  test('every problem is named: unknown writers, the reserved dfo name, a required publisher that may not write, a private key, an unknown schema', () => {
    const bad = {
      publishers: { dfo: { schema: 'student' }, fs: { schema: 'student', keys: [{ ...testKey('k').privateKey.export({ format: 'jwk' }), kid: 'k' }] } },
      authority: { mobile: { writers: ['fs', 'payroll'], requiredFrom: ['self-service'] } },
    };
    assert.throws(() => parsePublishersFile(JSON.stringify(bad)), (err: Error) => {
      for (const m of [/publishers.dfo: .*reserved/, /publishers.fs.keys: key k: a private key/, /authority.mobile: writer payroll is not a configured publisher/, /authority.mobile: self-service must send it but is not among its writers/]) assert.match(err.message, m);
      return true;
    });
    assert.throws(() => parsePublishersFile(JSON.stringify({ publishers: { x: { schema: 'wizard' } }, authority: {} })), /publishers.x.schema/);
    assert.throws(() => parsePublishersFile('{'), /not JSON/);
  });
});
