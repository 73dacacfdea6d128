/**
 * The Kafka Streams peer of the bulk-load benchmark (bench/peer, issue 14 part 1) does iga-stream's
 * job end to end on a tiny university, on the local Kafka and RabbitMQ: DFØ notifications in, one
 * account per eligible holder with a username by iga-stream's rules, SCIM notify events out (CREATE
 * without attributes; MODIFY for a rename and for a lost position). Builds the peer with Maven first
 * (fails loudly without Java 17+ and mvn; the first build fetches jars, later ones are cached).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccounts } from '../../bench/lib/accounts.ts';
import { publishNotifications } from '../../bench/lib/amqp.ts';
import type { Child } from '../../bench/lib/childProcess.ts';
import { buildPeer, startPeer } from '../../bench/lib/peer.ts';
import { serviceEnv } from '../../bench/lib/services.ts';
import { osloDate } from '../../src/iga/clock.ts';
import { defaultPolicy } from '../../src/iga/policy.ts';
import { stemOf } from '../../src/iga/username.ts';
import { usernameNamespaces } from '../../src/iga/usernameNamespaces.ts';
import { generateUniversity } from '../../tools/dfo-simulator/dataset.ts';
import { expectedAccounts } from '../../tools/dfo-simulator/expectedAccounts.ts';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import { captureExchange, type ExchangeCapture } from '../support/exchangeCapture.ts';
import { AMQP_URL, KAFKA_BROKERS, deleteTopics, unique, waitFor, withAdmin } from '../connectors/brokers.ts';

const today = osloDate(new Date());
const uni = generateUniversity({ seed: 14, employees: 30, positions: 20, today, names: 'varied' });
const expected = [...expectedAccounts(uni, today, defaultPolicy)].filter(([, p]) => p.eligible);
const appId = unique('peer-test');
const exIn = `${appId}.ex_from_dfo`;
const exOut = `${appId}.ex_from_iga`;
interface Event { routingKey: string; type: string | undefined; messageId: string | undefined; body: { schemas: string[]; resourceUris: string[]; type: string; attributes?: string[] } }

let sim: DfoSimulator;
let peer: Child;
let stateDir: string;
let events: ExchangeCapture<Event>;
const say = (line: string) => process.stderr.write(`${line}\n`);

beforeAll(async () => {
  await buildPeer(say);
  sim = await startDfoSimulator({ dataset: uni });
  stateDir = await mkdtemp(join(tmpdir(), 'peer-test-'));
  events = await captureExchange(exOut, (m) => ({ routingKey: m.fields.routingKey, type: m.properties.type, messageId: m.properties.messageId, body: JSON.parse(m.content.toString()) }));
  peer = await startPeer({ ...serviceEnv(appId, sim.url, stateDir), PEER_STREAM_THREADS: '1' });
}, 300_000);

afterAll(async () => {
  await peer?.stop();
  await events?.close();
  await sim?.close();
  await rm(stateDir, { recursive: true, force: true });
  const topics = await withAdmin(async (admin) => (await admin.listTopics()).filter((t) => t.startsWith(appId)));
  await deleteTopics(topics);
  const conn = await amqp.connect(AMQP_URL);
  for (const del of [(c: amqp.Channel) => c.deleteQueue(`${appId}.dfo-in`), (c: amqp.Channel) => c.deleteExchange(exIn), (c: amqp.Channel) => c.deleteExchange(exOut)]) {
    const ch = await conn.createChannel();
    await del(ch).catch(() => undefined);
    await ch.close().catch(() => undefined);
  }
  await conn.close();
});

const creates = () => events.items.filter((e) => e.body.type === 'CREATE');
const modifies = () => events.items.filter((e) => e.body.type === 'MODIFY');

describe('the Kafka Streams peer', () => {
  it('creates one account per eligible holder, with usernames by iga-stream rules, and announces each', async () => {
    expect(expected.length).toBeGreaterThan(10);
    await publishNotifications(AMQP_URL, exIn, 'stillinger', uni.positions.map((p) => Number(p['id'])));
    await waitFor(`${expected.length} CREATEs`, () => creates().length >= expected.length, 90_000);
    for (const e of creates()) {
      expect(e.routingKey).toBe('no.example.iga.scim.user.create');
      expect(e.type).toBe('scim.user.create');
      expect(e.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:notify:2.0:Event'], resourceUris: [expect.stringMatching(/^http:\/\/127\.0\.0\.1:8080\/Users\/[0-9a-f-]{36}$/)], type: 'CREATE' });
      expect(e.messageId).toMatch(/^[0-9a-f-]{36}:v1$/);
    }
    const accounts = await checkAccounts(KAFKA_BROKERS, appId, expected.length, 30_000);
    expect(accounts.active).toBe(expected.length);
    expect(accounts.duplicateUserNames).toEqual([]);
    expect(new Set(accounts.activeByPerson.keys())).toEqual(new Set(expected.map(([id]) => id)));
    for (const [id, person] of expected) {
      const [local, domain] = accounts.activeByPerson.get(id)!.split('@');
      expect(domain).toBe('bench.uib.no');
      const stems = usernameNamespaces(person.employee!.givenName, person.employee!.familyName).map((ns) => ns.stem);
      expect(stems, `${local} for ${person.employee!.givenName} ${person.employee!.familyName}`).toContain(stemOf(local!));
    }
    expect(creates()).toHaveLength(expected.length);
  });

  it('announces a rename, and a lost position, as MODIFY', async () => {
    // A person with exactly one position: renamed, then that position loses them.
    const [id] = expected.find(([, p]) => p.affiliations.length === 1)!;
    const raw = uni.employees.find((e) => normaliseDfoId(e['id'] as string) === id)!;
    await sim.upsertEmployee({ ...raw, etternavn: 'Øvrebø-Sæther' }, { notify: false });
    await publishNotifications(AMQP_URL, exIn, 'ansatte', [id]);
    await waitFor('a MODIFY for the rename', () => modifies().length >= 1, 60_000);
    expect(modifies()[0]!.body.attributes).toEqual(['name.givenName', 'name.familyName', 'displayName']);
    expect(modifies()[0]!.routingKey).toBe('no.example.iga.scim.user.modify');

    const positionId = expected.find(([pid]) => pid === id)![1].affiliations[0]!.positionId;
    const position = uni.positions.find((p) => String(p['id']) === positionId)!;
    const holders = (position['innehaver'] as Array<Record<string, unknown>>).filter((h) => normaliseDfoId(h['innehaverAnsattnr'] as string) !== id);
    await sim.upsertPosition({ ...position, innehaver: holders }, { notify: false });
    await publishNotifications(AMQP_URL, exIn, 'stillinger', [Number(positionId)]);
    await waitFor('a MODIFY for the lost position', () => modifies().length >= 2, 60_000);
    expect(modifies()[1]!.body.attributes).toEqual(['active']);
    const after = await checkAccounts(KAFKA_BROKERS, appId, expected.length - 1, 30_000);
    expect(after.active).toBe(expected.length - 1);
    expect(after.activeByPerson.has(id)).toBe(false);
  });
});
