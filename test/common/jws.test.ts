import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createSecretKey, generateKeyPairSync, createHmac } from 'node:crypto';
import { importPublicJwk, signCompactJws, verifyCompactJws, type PublicJwk } from '../../src/common/jws.ts';
import { testKey } from '../support/publishers.ts';

const keysOf = (...jwks: Array<Record<string, unknown>>) => jwks.map((j) => ({ kid: String(j.kid), ...importPublicJwk(j as PublicJwk) }));

describe('compact JWS', () => {
  for (const type of ['ed25519', 'ec', 'rsa'] as const) {
    test(`${type}: what is signed verifies and gives the payload back; one flipped bit anywhere does not`, () => {
      const k = testKey(`k-${type}`, type);
      const token = signCompactJws('{"sourceId":"s1"}', k.privateKey, `k-${type}`);
      const v = verifyCompactJws(token, keysOf(k.publicJwk));
      assert.ok(v.ok);
      assert.equal(v.payload.toString(), '{"sourceId":"s1"}');
      assert.equal(v.kid, `k-${type}`);
      const [h, p, s] = token.split('.') as [string, string, string];
      const tamperedPayload = `${h}.${Buffer.from('{"sourceId":"s2"}').toString('base64url')}.${s}`;
      assert.deepEqual(verifyCompactJws(tamperedPayload, keysOf(k.publicJwk)), { ok: false, reason: 'bad signature: it does not verify with the publisher\'s key' });
      const sig = Buffer.from(s, 'base64url');
      sig[sig.length - 1] = sig[sig.length - 1]! ^ 1;
      assert.equal(verifyCompactJws(`${h}.${p}.${sig.toString('base64url')}`, keysOf(k.publicJwk)).ok, false);
    });
  }

  test('a token signed by another key of the same kind is refused', () => {
    const mine = testKey('fs-1');
    const other = testKey('fs-1');
    const v = verifyCompactJws(signCompactJws('{}', other.privateKey, 'fs-1'), keysOf(mine.publicJwk));
    assert.equal(v.ok, false);
  });

  test('kid picks the key; an unknown kid, an algorithm that does not fit the key, none, HMAC and crit are refused with the reason', () => {
    const k = testKey('fs-1');
    const keys = keysOf(k.publicJwk);
    assert.match((verifyCompactJws(signCompactJws('{}', k.privateKey, 'fs-2'), keys) as { reason: string }).reason, /no EdDSA key with kid "fs-2"/);
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    const body = Buffer.from('{}').toString('base64url');
    assert.match((verifyCompactJws(`${header({ alg: 'none' })}.${body}.`, keys) as { reason: string }).reason, /algorithm "none" is not accepted/);
    const mac = createHmac('sha256', createSecretKey(Buffer.from('secret'))).update(`${header({ alg: 'HS256' })}.${body}`).digest('base64url');
    assert.match((verifyCompactJws(`${header({ alg: 'HS256' })}.${body}.${mac}`, keys) as { reason: string }).reason, /HS256/);
    assert.match((verifyCompactJws(`${header({ alg: 'ES256' })}.${body}.AAAA`, keys) as { reason: string }).reason, /no ES256 key/);
    assert.match((verifyCompactJws(`${header({ alg: 'EdDSA', crit: ['exp'] })}.${body}.AAAA`, keys) as { reason: string }).reason, /crit/);
    assert.match((verifyCompactJws('not a token', keys) as { reason: string }).reason, /three base64url parts/);
    assert.match((verifyCompactJws(`bm90IGpzb24.${body}.AAAA`, keys) as { reason: string }).reason, /header is not JSON/);
  });

  test('configuring a key: private parts, weak RSA and a mismatching alg are refused', () => {
    const ed = generateKeyPairSync('ed25519');
    assert.throws(() => importPublicJwk({ ...ed.privateKey.export({ format: 'jwk' }), kid: 'p' } as PublicJwk), /a private key/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(() => importPublicJwk({ ...weak.publicKey.export({ format: 'jwk' }), kid: 'w' } as PublicJwk), /2048 bits/);
    assert.throws(() => importPublicJwk({ ...ed.publicKey.export({ format: 'jwk' }), kid: 'a', alg: 'RS256' } as PublicJwk), /does not fit/);
  });
});
