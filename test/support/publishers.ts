/**
 * A publishers file for tests (the sample university's: FS signs with an Ed25519 key, the guest portal
 * and self-service do not), its signing key, sample profiles of each kind, and the clean-up of a
 * stack with the publisher input.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as amqp from 'amqplib';
import { amqpUrl } from './brokers.ts';
import { signCompactJws } from '../../src/common/jws.ts';
import { SAMPLE_AUTHORITY } from '../../tools/publisher-simulator/index.ts';

export interface TestKeys { privateKey: KeyObject; publicJwk: Record<string, unknown> }

export function testKey(kid: string, type: 'ed25519' | 'ec' | 'rsa' = 'ed25519'): TestKeys {
  const pair = type === 'ed25519' ? generateKeyPairSync('ed25519') : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, publicJwk: { ...pair.publicKey.export({ format: 'jwk' }), kid } };
}

/** The person directory's nin hash key in tests (IGA_NIN_HASH_KEY; test-only). */
export const TEST_NIN_HASH_KEY = 'nin-hash-key-for-tests-only-0123456789';

export function publishersFile(opts: { fsKey?: TestKeys | null; version?: string } = {}): string {
  return JSON.stringify({
    ...(opts.version ? { version: opts.version } : {}),
    publishers: {
      fs: { schema: 'student', keys: opts.fsKey ? [opts.fsKey.publicJwk] : [] },
      'guest-portal': { schema: 'guest' },
      'self-service': { schema: 'self-service' },
    },
    authority: SAMPLE_AUTHORITY,
  });
}

export function studentProfile(sourceId: string, extra: Record<string, unknown> = {}) {
  return {
    sourceId, nin: '01019912345', studentNumber: '500001', givenName: 'Sara', familyName: 'Student',
    studyRights: [{ program: 'BAMAT', start: '2026-08-15', end: '2029-06-30' }], ...extra,
  };
}

export function guestProfile(sourceId: string, sponsor: string, extra: Record<string, unknown> = {}) {
  return { sourceId, givenName: 'Gina', familyName: 'Gjest', guest: { sponsor, start: '2026-12-01', end: '2027-02-28' }, ...extra };
}

export function sign(profile: unknown, key: TestKeys, kid = String(key.publicJwk.kid)): string {
  return signCompactJws(JSON.stringify(profile), key.privateKey, kid);
}

/** After a stack with the publisher input: its AMQP queue and exchange and the folder of its publishers file go. */
export async function removePublishInput(appId: string, exchange: string, dir: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl);
  const ch = await conn.createChannel();
  await ch.deleteQueue(`${appId}.publish-in`).catch(() => undefined);
  await ch.deleteExchange(exchange).catch(() => undefined);
  await conn.close();
  await rm(dir, { recursive: true, force: true });
}
