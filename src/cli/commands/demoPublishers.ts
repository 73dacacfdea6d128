/**
 * The demo's publishers: FS (signing its profiles with a key of the demo's own) and the guest portal,
 * played by tools/publisher-simulator against the demo's service, so the sample university gets
 * students and guests beside DFØ's employees. `demoPublishersEnv` writes the publishers file (the
 * sample authority rules) and gives the settings; `publishDemoProfiles` sends the students over HTTP
 * and the guests over AMQP, sponsored by employees of the sample; `accountsPerSource` counts the
 * accounts for the summary.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generatePublisherData, publishAmqp, publishHttp, SAMPLE_AUTHORITY } from '../../../tools/publisher-simulator/index.ts';
import type { Account } from '../../iga/model.ts';

const TOKENS = { fs: 'demo-fs-token-0123456789', 'guest-portal': 'demo-guest-portal-token-0123456789', 'self-service': 'demo-self-service-token-0123456789' };

export interface DemoPublishers {
  /** The settings that switch the publishers on. */
  env: Record<string, string>;
  fsKey: { privateKey: KeyObject; kid: string };
}

export async function demoPublishersEnv(stateDir: string, appId: string): Promise<DemoPublishers> {
  const pair = generateKeyPairSync('ed25519');
  const kid = 'demo-fs';
  const file = resolve(join(stateDir, `${appId}-publishers.json`));
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, JSON.stringify({
    version: `demo-${appId}`,
    publishers: {
      fs: { schema: 'student', keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid }] },
      'guest-portal': { schema: 'guest' },
      'self-service': { schema: 'self-service' },
    },
    authority: SAMPLE_AUTHORITY,
  }, null, 2));
  return {
    env: {
      IGA_PUBLISHERS_FILE: file, IGA_NIN_HASH_KEY: randomBytes(32).toString('hex'), IGA_PUBLISH_PORT: '0',
      IGA_PUBLISH_TOKENS: Object.entries(TOKENS).map(([p, t]) => `${p}:${t}`).join(','),
    },
    fsKey: { privateKey: pair.privateKey, kid },
  };
}

/** Sends the sample's students (FS, signed, over HTTP) and guests (the guest portal, over AMQP); returns how many of each. */
export async function publishDemoProfiles(opts: {
  publishUrl: string; amqpUrl: string; exchange: string; fsKey: DemoPublishers['fsKey']; sponsors: readonly string[]; today: string; students: number; guests: number;
}): Promise<{ students: number; guests: number; invalid: number }> {
  const sends = generatePublisherData({ seed: 2026, students: opts.students, guests: opts.guests, sponsors: opts.sponsors, today: opts.today });
  const target = { url: opts.publishUrl, amqp: { url: opts.amqpUrl, exchange: opts.exchange }, tokens: TOKENS, keys: { fs: opts.fsKey } };
  await publishHttp(sends.filter((s) => s.publisher === 'fs'), target);
  await publishAmqp(sends.filter((s) => s.publisher === 'guest-portal'), target);
  return {
    students: sends.filter((s) => s.publisher === 'fs').length,
    guests: sends.filter((s) => s.publisher === 'guest-portal').length,
    invalid: sends.filter((s) => s.expect === 'invalid').length,
  };
}

/**
 * Active accounts by the kind of affiliation that gives them (an account with several counts under
 * each); an account of a person only DFØ knows counts as an employee's.
 */
export function accountsPerSource(accounts: Iterable<Readonly<Account>>): { employee: number; student: number; guest: number; several: number } {
  const n = { employee: 0, student: 0, guest: 0, several: 0 };
  for (const a of accounts) {
    if (!a.active) continue;
    const kinds = a.affiliationKinds ?? ['employee'];
    for (const k of kinds) n[k]++;
    if (kinds.length > 1) n.several++;
  }
  return n;
}
