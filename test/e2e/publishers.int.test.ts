/**
 * The publishers end to end, on the real Kafka broker and RabbitMQ: profiles over HTTP and AMQP,
 * durably on the raw profile topic before the 201 or the ack, the validation step's verdicts in the
 * publisher's view (`GET /changes?messageId=`), refused profiles on the dead-letter topic with their
 * original bytes, and discovery (`/publish/schemas`, `/.well-known/iga-stream`).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { amqpUrl, eventually } from '../support/brokers.ts';
import { guestProfile, publishersFile, sign, studentProfile, removePublishInput, TEST_NIN_HASH_KEY, testKey } from '../support/publishers.ts';
import { startStack, type Stack } from './stack.ts';
import { generatePublisherData, publishAmqp, publishHttp } from '../../tools/publisher-simulator/index.ts';

const TOKENS = { fs: 'fs-token-0123456789abcdef', guest: 'guest-portal-token-0123456789', self: 'self-service-token-0123456789' };
const CHANGES_TOKEN = 'changes-token-0123456789abcdef';

describe('publishers (HTTP and AMQP → raw profiles → validation → the publisher\'s view)', () => {
  let stack: Stack;
  let dir: string;
  const fsKey = testKey('fs-2026');
  let exchange: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iga-publishers-'));
    await writeFile(join(dir, 'publishers.json'), publishersFile({ fsKey, version: 'authority-e2e-1' }));
    exchange = `publish-${Date.now().toString(36)}`;
    stack = await startStack({
      start: '2026-12-01T10:00:00Z',
      env: {
        IGA_PUBLISHERS_FILE: join(dir, 'publishers.json'), IGA_NIN_HASH_KEY: TEST_NIN_HASH_KEY, IGA_PUBLISH_PORT: '0', IGA_PUBLISH_HOST: '127.0.0.1',
        IGA_PUBLISH_TOKENS: `fs:${TOKENS.fs},guest-portal:${TOKENS.guest},self-service:${TOKENS.self}`,
        IGA_CHANGES_PORT: '0', IGA_CHANGES_TOKENS: `publishers:${CHANGES_TOKEN}`, IGA_AMQP_EXCHANGE_PUBLISH: exchange,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await removePublishInput(stack.appId, exchange, dir);
  });

  const post = (publisher: string, token: string | null, body: string, headers: Record<string, string> = {}) => fetch(`${stack.service.publishUrl}/publish/${publisher}/profiles`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  const changes = async (messageId: string) => {
    const res = await fetch(`${stack.service.changesUrl}/changes?messageId=${encodeURIComponent(messageId)}`, { headers: { authorization: `Bearer ${CHANGES_TOKEN}` } });
    return { status: res.status, body: await res.json() as any };
  };
  const verdict = (messageId: string) => eventually(`the verdict on ${messageId}`, async () => {
    const r = await changes(messageId);
    return r.status === 200 && r.body.validation?.state !== 'pending' ? r.body : undefined;
  });
  const topics = () => topicNames(stack.appId);

  test('a profile is on the raw profile topic when the 201 comes, with its message id; it is then tagged valid and goes on to profiles.valid', async () => {
    const res = await post('guest-portal', TOKENS.guest, JSON.stringify(guestProfile('g-1', '100001')), { 'x-message-id': 'guest-msg-1' });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { publisher: 'guest-portal', accepted: [{ messageId: 'guest-msg-1', status: '/changes?messageId=guest-msg-1' }], policyVersion: 'authority-e2e-1' });
    // Durable before the answer: the record is there the moment the 201 arrives.
    const raw = await stack.readTopic(topics().profilesRaw);
    const mine = raw.filter((r) => r.key === 'guest-portal:g-1');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.value.messageId, 'guest-msg-1');
    const view = await verdict('guest-msg-1');
    assert.equal(view.status, 'accepted');
    assert.equal(view.validation.state, 'valid');
    assert.equal(view.validation.policyVersion, 'authority-e2e-1');
    assert.equal(view.accepted[0].kind, 'profile');
    const valid = await eventually('the valid profile', async () => (await stack.readTopic(topics().profilesValid)).find((r) => r.value.messageId === 'guest-msg-1'));
    assert.equal(valid.key, 'guest-portal:g-1');
  });

  test('a batch: each profile its own message id and verdict; an invalid one is tagged with every reason and kept on the DLQ with its original bytes', async () => {
    const bad = '{"sourceId":"ss-9","link":{"employeeNumber":"100001"},"preferredName":"Kari","employeeNumber":"100002"}';
    const body = `[{"sourceId":"ss-8","link":{"employeeNumber":"100001"},"preferredName":"Kari"}, ${bad}]`;
    const res = await post('self-service', TOKENS.self, body, { 'x-message-id': 'ss-batch' });
    assert.equal(res.status, 201);
    assert.deepEqual((await res.json() as any).accepted.map((a: { messageId: string }) => a.messageId), ['ss-batch#0', 'ss-batch#1']);
    assert.equal((await verdict('ss-batch#0')).validation.state, 'valid');
    const refused = await verdict('ss-batch#1');
    assert.equal(refused.status, 'invalid');
    assert.deepEqual(refused.validation.reasons, ['authority: employeeNumber: owned by dfo; self-service may not set it']);
    assert.equal(refused.complete, false);
    assert.equal(refused.rejected.length, 1);
    assert.equal(refused.rejected[0].by, 'validation');
    const dead = (await stack.readTopic(topics().dlq)).find((r) => r.key === 'ss-batch#1');
    assert.ok(dead);
    assert.equal(Buffer.from(dead.value.bodyBase64, 'base64').toString(), bad);
    assert.equal(dead.value.source, 'validation');
  });

  test('a badly signed and a schema-invalid profile are tagged invalid with reasons and kept; the service keeps running and the next signed profile is valid', async () => {
    const forged = sign(studentProfile('s-1'), testKey('fs-2026'));
    assert.equal((await post('fs', TOKENS.fs, JSON.stringify(forged), { 'x-message-id': 'fs-forged' })).status, 201);
    assert.equal((await post('fs', TOKENS.fs, JSON.stringify(sign({ sourceId: 's-2', nin: '123' }, fsKey)), { 'x-message-id': 'fs-schema' })).status, 201);
    assert.equal((await post('fs', TOKENS.fs, JSON.stringify(sign(studentProfile('s-3'), fsKey)), { 'x-message-id': 'fs-good' })).status, 201);
    assert.deepEqual((await verdict('fs-forged')).validation.reasons, ['signature: bad signature: it does not verify with the publisher\'s key']);
    const schema = (await verdict('fs-schema')).validation.reasons as string[];
    assert.ok(schema.includes('schema student: nin: 11 digits'), schema.join(' | '));
    assert.ok(schema.includes('authority: studentNumber: fs must send it, and this profile lacks it'), schema.join(' | '));
    assert.equal((await verdict('fs-good')).validation.state, 'valid');
    const dlq = await stack.readTopic(topics().dlq);
    assert.ok(['fs-forged', 'fs-schema'].every((id) => dlq.some((r) => r.key === id && r.value.source === 'validation')));
  });

  test('over HTTP, what cannot be stored is refused with the reason and nothing is written: no token, another publisher\'s token, an unknown publisher, not JSON, not application/json', async () => {
    const before = (await stack.readTopic(topics().profilesRaw)).length;
    const body = JSON.stringify(guestProfile('g-x', '1'));
    const cases: Array<[Response, number, RegExp]> = [
      [await post('guest-portal', null, body), 401, /Authentication required/],
      [await post('guest-portal', 'wrong-token-0123456789', body), 401, /Invalid token/],
      [await post('guest-portal', TOKENS.fs, body), 403, /it may publish only as fs/],
      [await post('payroll', TOKENS.fs, body), 404, /no publisher "payroll"/],
      [await post('guest-portal', TOKENS.guest, '{"sourceId":'), 400, /not JSON/],
      [await post('guest-portal', TOKENS.guest, body, { 'content-type': 'text/plain' }), 415, /application\/json/],
      [await post('guest-portal', TOKENS.guest, '['.repeat(100)), 400, /nested deeper/],
    ];
    for (const [res, status, reason] of cases) {
      assert.equal(res.status, status);
      assert.match((await res.json() as { error: string }).error, reason);
    }
    assert.equal((await stack.readTopic(topics().profilesRaw)).length, before);
  });

  test('over AMQP (routing key = publisher, token in a header): acked once on the raw topic and validated; without a valid token dead-lettered with the reason and acked', async () => {
    const conn = await amqp.connect(amqpUrl);
    try {
      const ch = await conn.createConfirmChannel();
      ch.publish(exchange, 'guest-portal', Buffer.from(JSON.stringify(guestProfile('g-amqp', '100001'))), { messageId: 'amqp-1', contentType: 'application/json', headers: { 'iga-token': TOKENS.guest } });
      ch.publish(exchange, 'guest-portal', Buffer.from(JSON.stringify(guestProfile('g-amqp2', '100001'))), { messageId: 'amqp-2', headers: { 'iga-token': TOKENS.fs } });
      ch.publish(exchange, 'guest-portal', Buffer.from('{"oops"'), { messageId: 'amqp-3', headers: { 'iga-token': TOKENS.guest } });
      await ch.waitForConfirms();
      assert.equal((await verdict('amqp-1')).validation.state, 'valid');
      const wrongToken = await eventually('amqp-2 rejected', async () => { const r = await changes('amqp-2'); return r.status === 200 ? r.body : undefined; });
      assert.equal(wrongToken.status, 'rejected');
      assert.match(wrongToken.rejected[0].reason, /the token is fs's; it may publish only as fs/);
      assert.equal(wrongToken.rejected[0].by, 'publish');
      const notJson = await eventually('amqp-3 rejected', async () => { const r = await changes('amqp-3'); return r.status === 200 ? r.body : undefined; });
      assert.match(notJson.rejected[0].reason, /not JSON/);
      const dead = (await stack.readTopic(topics().dlq)).find((r) => r.key === 'amqp-3');
      assert.equal(Buffer.from(dead!.value.bodyBase64, 'base64').toString(), '{"oops"');
      // Everything was acked: nothing waits in the queue.
      const check = await conn.createChannel();
      await eventually('the queue to be empty', async () => (await check.checkQueue(`${stack.appId}.publish-in`)).messageCount === 0);
    } finally {
      await conn.close();
    }
  });

  test('discovery without a token: each publisher\'s JSON Schema, and the well-known document with the rules, the policy version and the public keys', async () => {
    const schemas = await (await fetch(`${stack.service.publishUrl}/publish/schemas`)).json() as any;
    assert.equal(schemas.policyVersion, 'authority-e2e-1');
    assert.deepEqual(Object.keys(schemas.publishers).sort(), ['fs', 'guest-portal', 'self-service']);
    assert.equal(schemas.publishers.fs.kind, 'student');
    assert.deepEqual(schemas.publishers.fs.schema.required.sort(), ['familyName', 'givenName', 'nin', 'sourceId', 'studentNumber', 'studyRights']);
    assert.equal(schemas.publishers['guest-portal'].schema.additionalProperties, false);
    const wk = await (await fetch(`${stack.service.publishUrl}/.well-known/iga-stream`)).json() as any;
    assert.equal(wk.policyVersion, 'authority-e2e-1');
    assert.deepEqual(wk.publishers.fs.keys.keys, [{ kid: 'fs-2026', kty: 'OKP', crv: 'Ed25519', x: fsKey.publicJwk.x }]);
    assert.equal(wk.publishers.fs.signed, true);
    assert.equal(wk.publishers['self-service'].signed, false);
    assert.deepEqual(wk.authority.attributes.employeeNumber, { writers: ['dfo'], requiredFrom: [] });
  });

  test('the FS and guest-portal simulators (FS signed over HTTP, the guest portal over AMQP), quirks included: every profile gets the verdict its data set expects', async () => {
    const sends = generatePublisherData({ seed: 7, students: 24, guests: 8, sponsors: ['100001', '100002'], today: '2026-12-01', quirkShare: 0.35 });
    const kinds = new Set(sends.flatMap((x) => (x.quirk ? [x.quirk.kind] : [])));
    assert.deepEqual([...kinds].sort(), ['duplicate', 'late-correction', 'missing-field'], 'the seed plays every quirk');
    const fs = sends.filter((x) => x.publisher === 'fs').map((x) => ({ ...x, messageId: `sim-${x.messageId}` }));
    const guests = sends.filter((x) => x.publisher === 'guest-portal').map((x) => ({ ...x, messageId: `sim-${x.messageId}` }));
    const target = { url: stack.service.publishUrl!, amqp: { url: amqpUrl, exchange }, tokens: { fs: TOKENS.fs, 'guest-portal': TOKENS.guest }, keys: { fs: { privateKey: fsKey.privateKey, kid: 'fs-2026' } } };
    assert.ok((await publishHttp(fs, target)).every((r) => r.status === 201));
    await publishAmqp(guests, target);
    for (const x of [...fs, ...guests]) {
      const v = await verdict(x.messageId);
      assert.equal(v.validation.state, x.expect, `${x.messageId} (${x.quirk?.kind ?? 'plain'}): ${v.validation.reasons?.join(' | ')}`);
      if (x.quirk?.kind === 'missing-field') assert.ok((v.validation.reasons as string[]).some((r) => r.startsWith(`schema ${x.publisher === 'fs' ? 'student' : 'guest'}: ${x.quirk!.field}:`)));
    }
    // A late correction: both are valid, and the correction comes last on profiles.valid for that person.
    const corrected = fs.filter((x) => x.quirk?.kind === 'late-correction' && !x.messageId.endsWith('-a'));
    const valid = await stack.readTopic(topics().profilesValid);
    for (const c of corrected) {
      const mine = valid.filter((r) => r.key === `fs:${c.profile.sourceId}`);
      assert.equal(mine.at(-1)!.value.messageId, c.messageId);
      assert.equal(mine.at(-1)!.value.profile.familyName, c.profile.familyName);
    }
  }, 120_000);
});
