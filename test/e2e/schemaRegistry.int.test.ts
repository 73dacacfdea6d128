/**
 * The schema registry (issue 12 part 3), end to end on the real registry (scripts/registry.sh),
 * Kafka and RabbitMQ: a deployment that starts without a registry writes plain JSON; switched on
 * (a restart with IGA_SCHEMA_REGISTRY_URL) it registers the schemas of the topics relying parties
 * read, writes them in the wire format, and a relying party decodes them with
 * @kafkajs/confluent-schema-registry; the plain history stays readable, and the in-repo readers —
 * SCIM, the egress, explain, the LDAP driver (into the real slapd), the publisher's view — read
 * both. A schema the registry refuses stops start-up with an error naming the topic and the subject.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '../../src/app/config.ts';
import { startService } from '../../src/app/service.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { rootLogger } from '../../src/common/log.ts';
import { accountSchema } from '../../src/topology/contracts/accounts.ts';
import { readAuditRecord } from '../../src/topology/contracts/audit.ts';
import { deadLetterRecordSchema } from '../../src/topology/contracts/deadLetter.ts';
import { notifyRecordSchema } from '../../src/topology/contracts/notify.ts';
import { operatorActionSchema } from '../../src/topology/contracts/operatorAction.ts';
import { registrySchemaOf, valueSubject } from '../../src/topology/contracts/topicSchemas.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { amqpUrl, eventually, kafkaBrokers, testKafka, uniqueName } from '../support/brokers.ts';
import { runCli } from '../support/cli.ts';
import { registryGet, relyingPartyRegistry, requireSchemaRegistry, schemaRegistryUrl } from '../support/schemaRegistry.ts';
import { ldapDriverEnv, makeTestBase, removeTestBase } from '../support/ldapBase.ts';
import { ldapRoot, requireLdap, values, withLdap } from '../support/ldapServer.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';

const OPEN = '9999-12-31';
const ANNE = '310001'; // hired before the registry is switched on
const BJARNE = '310002'; // hired after
const P1 = '30003101';
const P2 = '30003102';
const isPlainJson = (bytes: Buffer | null) => bytes !== null && bytes[0] === '{'.charCodeAt(0);
const isWireFormat = (bytes: Buffer | null) => bytes !== null && bytes.length > 5 && bytes[0] === 0;
const CHANGES_TOKEN = 'e2e-sr-publisher-secret';

describe('schema registry: switched on in a running deployment', () => {
  let s: Stack;
  let t: ReturnType<typeof topicNames>;
  let base: string;
  let bjarneHire: string;
  const registry = relyingPartyRegistry();
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];
  const entryOf = (employeeNumber: string) => withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', filter: `(employeeNumber=${employeeNumber})` })).searchEntries[0]);

  beforeAll(async () => {
    await requireSchemaRegistry();
    await requireLdap();
    base = await makeTestBase(`e2e-sr-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    s = await startStack({
      start: '2026-05-04T09:00:00Z',
      env: { ...ldapDriverEnv(base), IGA_DRIVER_RETRY_INITIAL_MS: '100', IGA_DRIVER_RETRY_MAX_MS: '1000', IGA_CHANGES_PORT: '0', IGA_CHANGES_HOST: '127.0.0.1', IGA_CHANGES_TOKENS: `dfo:${CHANGES_TOKEN}` },
    });
    t = topicNames(s.appId);
    await s.sim.upsertEmployee(ansatt(ANNE, 'Anne', 'Før'));
    await s.sim.upsertPosition(stilling(P1, [[ANNE, '2025-01-01', OPEN]]));
    await s.sim.publish('stillinger', P1);
    await eventually('Anne\'s account', async () => (await user(ANNE))?.active === true);
    await s.quiesce();
  });
  afterAll(async () => {
    await s?.close();
    if (base) await removeTestBase(base);
  });

  test('without IGA_SCHEMA_REGISTRY_URL the accounts, notify and audit topics hold plain JSON', async () => {
    assert.equal(s.config.schemaRegistry, null);
    for (const topic of [t.accounts, t.notify, t.audit]) {
      const records = await s.readTopic(topic);
      assert.ok(records.length > 0, `${topic} has records`);
      assert.deepEqual(records.filter((r) => !isPlainJson(r.bytes)).map((r) => r.offset), [], `${topic}: every value is plain JSON`);
    }
    assert.equal((await registryGet(`/subjects/${encodeURIComponent(valueSubject(t.notify))}/versions`)).status, 404, 'nothing registered');
    assert.equal((await s.admin('/status')).body.schemaRegistry, undefined, 'no registry in the status');
  });

  describe('after a restart with the registry on', () => {
    beforeAll(async () => {
      await s.restart(undefined, { IGA_SCHEMA_REGISTRY_URL: schemaRegistryUrl });
      await s.sim.upsertEmployee(ansatt(BJARNE, 'Bjarne', 'Etter'));
      await s.sim.upsertPosition(stilling(P2, [[BJARNE, '2025-06-01', OPEN]]));
      bjarneHire = (await s.sim.publish('stillinger', P2)).messageId;
      // A name change of the account made before the switch: its next version is written in the wire format.
      await s.sim.upsertEmployee(ansatt(ANNE, 'Anne', 'Endret'));
      await s.sim.publish('ansatte', ANNE);
      await eventually('Bjarne\'s account and Anne\'s new name', async () => (await user(BJARNE))?.active === true && (await user(ANNE))?.name?.familyName === 'Endret');
      await s.quiesce();
    });

    test('each topic relying parties read has its schema under <topic>-value, with FULL compatibility', async () => {
      for (const topic of [t.accounts, t.notify, t.audit, t.dlq]) {
        const subject = valueSubject(topic);
        const latest = await registryGet(`/subjects/${encodeURIComponent(subject)}/versions/latest`);
        assert.equal(latest.status, 200, `${subject} is registered`);
        assert.equal(latest.body.schemaType, 'JSON');
        const config = await registryGet(`/config/${encodeURIComponent(subject)}`);
        assert.equal(config.body.compatibilityLevel, 'FULL', `${subject}'s compatibility`);
      }
      const status = (await s.admin('/status')).body.schemaRegistry;
      assert.equal(status.url, schemaRegistryUrl);
      assert.equal(status.compatibility, 'FULL');
      assert.deepEqual(status.subjects.map((x: { subject: string }) => x.subject), [t.accounts, t.notify, t.audit, t.dlq].map(valueSubject));
      for (const x of status.subjects) assert.equal(x.schemaId, (await registryGet(`/subjects/${encodeURIComponent(x.subject)}/versions/latest`)).body.id);
    });

    test('new records are in the wire format, under the subject\'s schema id, and decode to records that fit the contracts', async () => {
      const idOf = async (topic: string) => (await registryGet(`/subjects/${encodeURIComponent(valueSubject(topic))}/versions/latest`)).body.id as number;

      const accounts = (await s.readTopic(t.accounts)).filter((r) => isWireFormat(r.bytes));
      const bjarne = accounts.find((r) => r.value.personId === BJARNE);
      assert.ok(bjarne, 'Bjarne\'s account is in the wire format');
      assert.ok(accounts.some((r) => r.value.personId === ANNE && r.value.familyName === 'Endret'), 'so is Anne\'s new version');
      for (const r of accounts) {
        assert.equal(r.bytes!.readInt32BE(1), await idOf(t.accounts));
        const decoded = await registry.decode(r.bytes!);
        assert.deepEqual(accountSchema.parse(decoded), r.value);
      }
      assert.equal((await user(BJARNE)).id, bjarne.value.id, 'SCIM serves the account the topic holds');

      const notify = (await s.readTopic(t.notify)).filter((r) => isWireFormat(r.bytes));
      assert.deepEqual(notify.map((r) => r.value.type).sort(), ['CREATE', 'MODIFY']);
      for (const r of notify) {
        assert.equal(r.bytes!.readInt32BE(1), await idOf(t.notify));
        const decoded = notifyRecordSchema.parse(await registry.decode(r.bytes!));
        assert.equal(decoded.eventId, `${decoded.accountId}:v${decoded.account!.version}`);
      }

      const audit = (await s.readTopic(t.audit)).filter((r) => isWireFormat(r.bytes));
      assert.ok(audit.some((r) => r.key === BJARNE && r.value.decision === 'create'), 'Bjarne\'s create decision is audited in the wire format');
      for (const r of audit) {
        assert.equal(r.bytes!.readInt32BE(1), await idOf(t.audit));
        assert.equal(readAuditRecord(await registry.decode(r.bytes!)).v, 2);
      }
    });

    test('the history written before the switch stays readable: SCIM, the egress and explain still see it', async () => {
      const anne = await user(ANNE);
      assert.equal(anne.name.familyName, 'Endret');
      const plainAccounts = (await s.readTopic(t.accounts)).filter((r) => isPlainJson(r.bytes));
      assert.ok(plainAccounts.some((r) => r.value.personId === ANNE), 'Anne\'s first version is still plain JSON on the topic');
      assert.deepEqual(s.events.map((e) => e.body.type).sort(), ['CREATE', 'CREATE', 'MODIFY'], 'the egress published every change, plain and wire format');
      const explained = await eventually('explain Anne', async () => {
        const r = await s.admin(`/explain/${ANNE}`);
        return r.status === 200 && r.body.history?.some((h: { decision: string }) => h.decision === 'modify') ? r.body : undefined;
      });
      const decisions = explained.history.map((h: { decision: string }) => h.decision);
      assert.ok(decisions.includes('create') && decisions.includes('modify'), `explain reads Anne's decisions of both formats: ${decisions.join(', ')}`);
    });

    test('the LDAP driver applied the changes of both formats; the publisher\'s view reads the wire-format audit records', async () => {
      const anne = await eventually('Anne\'s entry renamed', async () => {
        const e = await entryOf(ANNE);
        return values(e, 'sn')[0] === 'Endret' ? e : undefined;
      }, 60_000);
      assert.equal(values(anne, 'igaAccountVersion')[0], '2', 'version 1 (plain JSON) then version 2 (wire format)');
      const bjarne = await eventually('Bjarne\'s entry', () => entryOf(BJARNE), 60_000);
      assert.deepEqual(values(bjarne, 'igaAccountId'), [(await user(BJARNE)).id]);

      const view = await eventually('the publisher\'s view of Bjarne\'s hire', async () => {
        const res = await fetch(`${s.service.changesUrl}/changes?messageId=${encodeURIComponent(bjarneHire)}`, { headers: { authorization: `Bearer ${CHANGES_TOKEN}` } });
        const body = res.status === 200 ? await res.json() as any : null;
        return body?.changes?.[0]?.tags?.ldap?.state === 'complete' ? body : undefined;
      }, 60_000);
      assert.ok(view.decisions.some((d: { decision: string }) => d.decision === 'create'), 'the create decision, read from the audit topic in the wire format');
      assert.equal(view.changes[0].type, 'CREATE');
    });

    test('a relying party consuming the notify topic with @kafkajs/confluent-schema-registry gets every change after the switch', async () => {
      const consumer: Consumer = testKafka('relying-party').consumer({ groupId: uniqueName('relying-party') });
      const decoded: Array<{ type: string; userName: string }> = [];
      let plain = 0;
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: t.notify, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (message.value && message.value[0] === 0) {
              const v = await registry.decode(message.value) as { type: string; account: { userName: string } };
              decoded.push({ type: v.type, userName: v.account.userName });
            } else plain++;
          },
        });
        await eventually('the relying party to decode both changes', () => decoded.length >= 2, 30_000);
      } finally {
        await consumer.disconnect();
      }
      assert.equal(plain, 1, 'Anne\'s CREATE from before the switch is plain JSON');
      assert.deepEqual(decoded.map((d) => d.type).sort(), ['CREATE', 'MODIFY']);
      const bjarne = (await user(BJARNE)).userName as string;
      assert.ok(decoded.some((d) => d.type === 'CREATE' && d.userName === bjarne), 'Bjarne\'s CREATE, with his account');
    });

    test('a dead letter is written in the wire format and decodes to a DeadLetterRecord', async () => {
      const body = '{"id": "abc", this is not json';
      await s.sim.publishRaw('ansatte', Buffer.from(body));
      const dead = await eventually('the dead letter', async () => (await s.readTopic(t.dlq)).find((r) => r.value?.source === 'ingress' && isWireFormat(r.bytes)));
      const decoded = deadLetterRecordSchema.parse(await registry.decode(dead.bytes!));
      assert.equal(Buffer.from(decoded.bodyBase64, 'base64').toString(), body);
      assert.match(decoded.reason, /JSON/i);
      // The operators' view of the dead letters reads the wire format too.
      const listed = (await s.admin('/dead-letters')).body.deadLetters.find((d: { record: { messageId: string } | null }) => d.record?.messageId === decoded.messageId);
      assert.equal(listed.record.reason, decoded.reason);
      assert.equal(listed.bodyText, body);
    });

    test('a console sign-in is audited in the wire format and decodes to an operator action', async () => {
      const res = await fetch(`${s.service.adminUrl}/console/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: ADMIN_TOKEN }) });
      assert.equal(res.status, 302);
      const rec = await eventually('the operator action on the audit topic', async () => (await s.readTopic(t.audit)).find((r) => r.key === 'operator:ops' && isWireFormat(r.bytes)));
      assert.equal(rec.bytes!.readInt32BE(1), (await registryGet(`/subjects/${encodeURIComponent(valueSubject(t.audit))}/versions/latest`)).body.id);
      const decoded = operatorActionSchema.parse(await registry.decode(rec.bytes!));
      assert.deepEqual([decoded.client, decoded.action, decoded.outcome], ['ops', 'sign-in', 'ok']);
    });
  });
});

describe('schema registry: a schema change the registry refuses stops start-up', () => {
  const registry = relyingPartyRegistry();
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  async function env(appId: string): Promise<Record<string, string>> {
    const stateDir = await mkdtemp(join(tmpdir(), 'iga-sr-'));
    dirs.push(stateDir);
    return {
      IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: amqpUrl, IGA_APP_ID: appId, IGA_STATE_DIR: stateDir,
      IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1', IGA_LOG_LEVEL: 'error', IGA_SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    };
  }

  beforeAll(async () => { await requireSchemaRegistry(); });

  test('a subject whose registered schema requires a field ours lacks: start-up fails naming the topic, the subject and the registry\'s words', async () => {
    const appId = uniqueName('sr-refused');
    const notify = topicNames(appId).notify;
    const subject = valueSubject(notify);
    // A relying party's stricter schema, registered first: every notify record must carry `tenant`.
    const ours = registrySchemaOf('notify') as { properties: Record<string, unknown>; required: string[] };
    const stricter = { ...ours, properties: { ...ours.properties, tenant: { type: 'string' } }, required: [...ours.required, 'tenant'] };
    await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(stricter) }, { subject, compatibility: COMPATIBILITY.FULL });

    const config = loadConfig(await env(appId));
    const err = await startService({ config, policy: makePolicy({}), log: rootLogger }).then(
      async (service) => { await service.close(); return null; },
      (e: unknown) => e as Error,
    );
    assert.ok(err, 'start-up failed');
    assert.equal(err.name, 'SchemaRegistryRefusal');
    assert.match(err.message, new RegExp(`topic ${notify.replaceAll('.', '\\.')}, subject ${subject.replaceAll('.', '\\.')}`));
    assert.match(err.message, /incompatible/);
    assert.match(err.message, /compatibility FULL/);
    assert.match(err.message, /Incompatible artifact/, 'the registry\'s own words');
    const versions = await registryGet(`/subjects/${encodeURIComponent(subject)}/versions`);
    assert.deepEqual(versions.body, [1], 'our schema was not added');

    // The same through the command line: `iga-stream run` exits with the message on stderr.
    const run = await runCli(['run'], await env(appId));
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`iga-stream: the schema registry refused the schema of topic ${notify.replaceAll('.', '\\.')}`));
  });

  test('a registry that does not answer stops start-up naming it', async () => {
    const config = loadConfig({ ...(await env(uniqueName('sr-down'))), IGA_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7' });
    await assert.rejects(startService({ config, policy: makePolicy({}), log: rootLogger }), (e: Error) => {
      assert.equal(e.name, 'SchemaRegistryRefusal');
      assert.match(e.message, /^could not register the schema of topic .*\.iga\.accounts, subject .*\.iga\.accounts-value at http:\/\/127\.0\.0\.1:1\/apis\/ccompat\/v7: /);
      return true;
    });
  });

  test('a subject with another compatibility than IGA_SCHEMA_REGISTRY_COMPATIBILITY stops start-up with both named', async () => {
    const appId = uniqueName('sr-compat');
    const accounts = topicNames(appId).accounts;
    await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(registrySchemaOf('accounts')) }, { subject: valueSubject(accounts), compatibility: COMPATIBILITY.BACKWARD });
    const config = loadConfig(await env(appId));
    assert.equal(config.schemaRegistry?.compatibility, 'FULL');
    await assert.rejects(startService({ config, policy: makePolicy({}), log: rootLogger }), (e: Error) => {
      assert.equal(e.name, 'SchemaRegistryRefusal');
      assert.match(e.message, new RegExp(`subject ${valueSubject(accounts).replaceAll('.', '\\.')}`));
      assert.match(e.message, /IGA_SCHEMA_REGISTRY_COMPATIBILITY=FULL/);
      assert.match(e.message, /FULL != BACKWARD/);
      return true;
    });
  });
});
