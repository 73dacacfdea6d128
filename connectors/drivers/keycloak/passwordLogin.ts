/**
 * A person signs in to the realm with a password (OIDC's resource-owner password grant, through a
 * client that allows direct access grants) and gets back what a relying party sees: the ID token's
 * claims (CIS's "return in-flow": the profile at login) and the userinfo answer for the access
 * token (the "return async-flow": the profile on request). The ID token is checked as a relying
 * party must: RS256 signature against the realm's published keys, issuer, audience, expiry; and
 * userinfo's `sub` must be the ID token's. For demos and tests (`iga-stream login`), not a library
 * for relying parties.
 */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { z } from 'zod';
import { HttpTransport } from './http.ts';
import { keycloakErrorText } from './userRepresentation.ts';

export interface PasswordLoginSettings {
  url: string;
  realm: string;
  /** A client with direct access grants (the local realm's `iga-stream-login-test`). */
  clientId: string;
  /** For a confidential login client; null for a public one. */
  clientSecret: string | null;
  caFile: string | null;
  timeoutMs: number;
}

export interface PasswordLoginResult {
  issuer: string;
  /** The ID token's claims, after its checks. */
  idToken: Record<string, unknown>;
  /** The userinfo endpoint's answer. */
  userinfo: Record<string, unknown>;
}

/** The realm refused the sign-in (wrong password, disabled user, unknown client) or answered with something that fails the checks. */
export class LoginFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginFailed';
  }
}

const Claims = z.record(z.string(), z.unknown());
const TokenAnswer = z.object({ access_token: z.string(), id_token: z.string().optional() });
const Jwks = z.object({ keys: z.array(z.object({ kid: z.string().optional(), kty: z.string() }).loose()) });

export async function passwordLogin(settings: PasswordLoginSettings, username: string, password: string, now: () => number = Date.now): Promise<PasswordLoginResult> {
  const base = settings.url.replace(/\/+$/, '');
  const issuer = `${base}/realms/${encodeURIComponent(settings.realm)}`;
  const http = new HttpTransport(base, { caFile: settings.caFile, timeoutMs: settings.timeoutMs, connectTimeoutMs: settings.timeoutMs, maxSockets: 1 });
  try {
    const form = new URLSearchParams({ grant_type: 'password', client_id: settings.clientId, username, password, scope: 'openid' });
    if (settings.clientSecret) form.set('client_secret', settings.clientSecret);
    const answer = await http.request({ method: 'POST', url: `${issuer}/protocol/openid-connect/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    if (answer.status !== 200) throw new LoginFailed(`${username} could not sign in to realm '${settings.realm}' through client '${settings.clientId}': ${answer.status} ${keycloakErrorText(answer.text)}`);
    const tokens = TokenAnswer.parse(JSON.parse(answer.text));
    if (!tokens.id_token) throw new LoginFailed('the token answer has no ID token (is `openid` among the client\'s scopes?)');

    const jwks = Jwks.parse(JSON.parse((await http.request({ method: 'GET', url: `${issuer}/protocol/openid-connect/certs` })).text));
    const idToken = verifiedClaims(tokens.id_token, jwks.keys);
    if (idToken.iss !== issuer) throw new LoginFailed(`the ID token's issuer is ${String(idToken.iss)}, not ${issuer}`);
    const audience = Array.isArray(idToken.aud) ? idToken.aud : [idToken.aud];
    if (!audience.includes(settings.clientId)) throw new LoginFailed(`the ID token is for ${JSON.stringify(idToken.aud)}, not client '${settings.clientId}'`);
    if (typeof idToken.exp !== 'number' || idToken.exp * 1000 <= now()) throw new LoginFailed('the ID token has expired');

    const info = await http.request({ method: 'GET', url: `${issuer}/protocol/openid-connect/userinfo`, headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    if (info.status !== 200) throw new LoginFailed(`userinfo answered ${info.status} ${keycloakErrorText(info.text)}`);
    const userinfo = Claims.parse(JSON.parse(info.text));
    if (userinfo.sub !== idToken.sub) throw new LoginFailed(`userinfo is about ${String(userinfo.sub)}, the ID token about ${String(idToken.sub)}`);
    return { issuer, idToken, userinfo };
  } finally {
    http.close();
  }
}

/** The payload of an RS256 JWT whose signature one of `keys` verifies. */
function verifiedClaims(jwt: string, keys: Array<{ kid?: string | undefined; kty: string }>): Record<string, unknown> {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) throw new LoginFailed('the ID token is not a JWT');
  const { kid, alg } = z.object({ kid: z.string().optional(), alg: z.string() }).parse(JSON.parse(Buffer.from(header, 'base64url').toString()));
  if (alg !== 'RS256') throw new LoginFailed(`the ID token is signed with ${alg}; only RS256 is checked here`);
  const jwk = keys.find((k) => k.kid === kid && k.kty === 'RSA');
  if (!jwk) throw new LoginFailed(`the realm publishes no RSA key ${kid ?? '(no kid)'}`);
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) throw new LoginFailed('the ID token\'s signature does not verify');
  return Claims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString()));
}
