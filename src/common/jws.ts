/**
 * JSON Web Signatures in compact form (RFC 7515), the way publishers sign their profiles: verify
 * against a publisher's public keys (JWK), and sign (the simulators and tests). Only asymmetric
 * algorithms whose key type fits: EdDSA (Ed25519), ES256 (P-256) and RS256 (RSA ≥ 2048 bits).
 * `none`, HMAC and anything in `crit` are refused. A verify never throws: it says why not.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';

export const JWS_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** A public key as configured and published: a JWK with a key id. */
export type PublicJwk = JsonWebKey & { kid: string };

export type JwsVerification = { ok: true; payload: Buffer; kid: string } | { ok: false; reason: string };

const B64URL = /^[A-Za-z0-9_-]*$/;

function algorithmOf(key: KeyObject): JwsAlgorithm | null {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
  return null;
}

/** The public key of a JWK and the algorithm it signs with; throws naming the problem (configuration time). */
export function importPublicJwk(jwk: PublicJwk): { key: KeyObject; alg: JwsAlgorithm } {
  if ('d' in jwk) throw new Error(`key ${jwk.kid}: a private key; configure only the public part`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const alg = algorithmOf(key);
  if (!alg) throw new Error(`key ${jwk.kid}: not an Ed25519, P-256 or RSA (2048 bits or more) key`);
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error(`key ${jwk.kid}: alg ${jwk.alg} does not fit its key type (${alg})`);
  return { key, alg };
}

function nodeParams(alg: JwsAlgorithm): { digest: string | null; dsaEncoding?: 'ieee-p1363' } {
  if (alg === 'EdDSA') return { digest: null };
  if (alg === 'ES256') return { digest: 'sha256', dsaEncoding: 'ieee-p1363' };
  return { digest: 'sha256' };
}

/** Verifies a compact JWS against `keys` (the header's `kid` picks one; without it every key is tried). */
export function verifyCompactJws(token: string, keys: ReadonlyArray<{ kid: string; key: KeyObject; alg: JwsAlgorithm }>): JwsVerification {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return { ok: false, reason: 'not a compact JWS (three base64url parts separated by dots)' };
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'JWS header is not JSON' };
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return { ok: false, reason: 'JWS header is not a JSON object' };
  const alg = header.alg;
  if (typeof alg !== 'string' || !(JWS_ALGORITHMS as readonly string[]).includes(alg)) return { ok: false, reason: `JWS algorithm ${JSON.stringify(alg)} is not accepted (${JWS_ALGORITHMS.join(', ')})` };
  if (header.crit !== undefined) return { ok: false, reason: 'JWS header has critical extensions (crit), which are not supported' };
  if (header.b64 === false) return { ok: false, reason: 'unencoded JWS payloads (b64: false) are not supported' };
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const candidates = keys.filter((k) => k.alg === alg && (kid === undefined || k.kid === kid));
  if (candidates.length === 0) return { ok: false, reason: kid === undefined ? `no ${alg} key is configured for this publisher` : `no ${alg} key with kid ${JSON.stringify(kid.slice(0, 100))} is configured for this publisher` };
  const signed = Buffer.from(`${h}.${p}`, 'ascii');
  const signature = Buffer.from(s, 'base64url');
  const { digest, ...rest } = nodeParams(alg as JwsAlgorithm);
  for (const k of candidates) {
    if (cryptoVerify(digest, signed, { key: k.key, ...rest }, signature)) return { ok: true, payload: Buffer.from(p, 'base64url'), kid: k.kid };
  }
  return { ok: false, reason: 'bad signature: it does not verify with the publisher\'s key' + (candidates.length > 1 ? 's' : '') };
}

/** Signs `payload` as a compact JWS with a private key (JWK or PEM); the algorithm follows the key. */
export function signCompactJws(payload: Buffer | string, privateKey: JsonWebKey | string | KeyObject, kid: string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : 'asymmetricKeyType' in privateKey && typeof (privateKey as KeyObject).export === 'function' ? privateKey as KeyObject : createPrivateKey({ key: privateKey as JsonWebKey, format: 'jwk' });
  const alg = algorithmOf(createPublicKey(key));
  if (!alg) throw new Error('signing key: not an Ed25519, P-256 or RSA (2048 bits or more) key');
  const h = Buffer.from(JSON.stringify({ alg, kid })).toString('base64url');
  const p = Buffer.from(payload).toString('base64url');
  const { digest, ...rest } = nodeParams(alg);
  const signature = cryptoSign(digest, Buffer.from(`${h}.${p}`, 'ascii'), { key, ...rest });
  return `${h}.${p}.${signature.toString('base64url')}`;
}

/** The payload of a compact JWS without verifying it (for routing keys only, never for trust). */
export function unverifiedJwsPayload(token: string): Buffer | null {
  const parts = token.split('.');
  return parts.length === 3 && B64URL.test(parts[1]!) ? Buffer.from(parts[1]!, 'base64url') : null;
}
