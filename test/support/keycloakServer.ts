/**
 * The local Keycloak for integration tests (scripts/keycloak.sh): its address and realm, a token of
 * the driver's service account (the realm's user administrator), the users of the realm (list, get,
 * create, delete, set a password) and a password login through the test client that returns the ID
 * token's claims (signature checked against the realm's keys) and the userinfo answer.
 * requireKeycloak() fails loudly with the command to run (integration tests never skip).
 */
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DRIVER_CLIENT_ID, LOGIN_TEST_CLIENT_ID } from '../../scripts/keycloak/realm.ts';

const port = process.env.IGA_KEYCLOAK_PORT ?? '8180';
export const keycloakUrl = `http://127.0.0.1:${port}`;
export const keycloakRealm = process.env.IGA_KEYCLOAK_REALM ?? 'iga';
export const keycloakIssuer = `${keycloakUrl}/realms/${keycloakRealm}`;
const cacheDir = process.env.IGA_CACHE ?? join(import.meta.dirname, '../../.cache');
/** Where scripts/keycloak.sh keeps the driver client's secret (made at the first `up`). */
export const driverSecretFile = process.env.IGA_KEYCLOAK_CLIENT_SECRET_FILE ?? join(cacheDir, 'keycloak', port, 'iga-stream-driver.secret');
export { DRIVER_CLIENT_ID, LOGIN_TEST_CLIENT_ID };

/** Throws a clear error when Keycloak or the provisioned realm is missing at `url`. */
export async function requireKeycloak(url = keycloakUrl): Promise<void> {
  const hint = `run 'bash scripts/keycloak.sh up' (settings IGA_KEYCLOAK_PORT, IGA_KEYCLOAK_REALM)`;
  let status: number;
  try {
    status = (await fetch(`${url}/realms/${keycloakRealm}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(3_000) })).status;
  } catch (err) {
    throw new Error(`Keycloak does not answer at ${url} (${(err as Error).message}): ${hint}`);
  }
  if (status !== 200) throw new Error(`Keycloak at ${url} has no realm ${keycloakRealm} (HTTP ${status}): ${hint}`);
  if (!existsSync(driverSecretFile)) throw new Error(`the driver client's secret ${driverSecretFile} is missing: ${hint}`);
}

const TokenAnswer = z.object({ access_token: z.string(), expires_in: z.number(), id_token: z.string().optional() });

async function tokenRequest(form: Record<string, string>, issuer = keycloakIssuer): Promise<z.infer<typeof TokenAnswer>> {
  const res = await fetch(`${issuer}/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams(form) });
  if (!res.ok) throw new Error(`token request (${form.grant_type} for ${form.client_id}) failed: ${res.status} ${await res.text()}`);
  return TokenAnswer.parse(await res.json());
}

let cachedDriverToken: { token: string; until: number } | undefined;

/** An access token of the driver's service account (client credentials), reused until shortly before it expires. */
export async function driverToken(): Promise<string> {
  if (cachedDriverToken && cachedDriverToken.until > Date.now()) return cachedDriverToken.token;
  const answer = await tokenRequest({ grant_type: 'client_credentials', client_id: DRIVER_CLIENT_ID, client_secret: readFileSync(driverSecretFile, 'utf8').trim() });
  cachedDriverToken = { token: answer.access_token, until: Date.now() + (answer.expires_in - 10) * 1000 };
  return answer.access_token;
}

/** An Admin REST call under /admin/realms/{realm} as the driver's service account; returns the response. */
export async function realmAdmin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${keycloakUrl}/admin/realms/${keycloakRealm}${path}`, {
    method,
    headers: { authorization: `Bearer ${await driverToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

export const KeycloakUser = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  enabled: z.boolean(),
  attributes: z.record(z.string(), z.array(z.string())).optional(),
}).loose();
export type KeycloakUser = z.infer<typeof KeycloakUser>;

/** The realm's users (service accounts are never listed); `q` is Keycloak's attribute search (e.g. `igaAccountId:<id>`). */
export async function listUsers(q?: string): Promise<KeycloakUser[]> {
  const query = new URLSearchParams({ briefRepresentation: 'false', max: '10000', ...(q ? { q } : {}) });
  const res = await ok(await realmAdmin('GET', `/users?${query}`), 'listing users');
  return z.array(KeycloakUser).parse(await res.json());
}

export async function getUser(id: string): Promise<KeycloakUser | undefined> {
  const res = await realmAdmin('GET', `/users/${id}`);
  if (res.status === 404) return undefined;
  return KeycloakUser.parse(await (await ok(res, `reading user ${id}`)).json());
}

export async function findUserByUsername(username: string): Promise<KeycloakUser | undefined> {
  const res = await ok(await realmAdmin('GET', `/users?${new URLSearchParams({ username, exact: 'true', briefRepresentation: 'false' })}`), 'finding a user');
  return z.array(KeycloakUser).parse(await res.json())[0];
}

/** Creates a user (the representation of the Admin REST API); returns its id. */
export async function createUser(user: Record<string, unknown>): Promise<string> {
  const res = await ok(await realmAdmin('POST', '/users', user), `creating user ${String(user.username)}`);
  const id = res.headers.get('location')?.split('/').pop();
  if (!id) throw new Error('Keycloak created a user without a Location header');
  return id;
}

/** Reads the user, applies `patch` to its whole representation and PUTs it back; the response tells whether Keycloak took it. */
export async function updateUser(id: string, patch: Partial<KeycloakUser>): Promise<Response> {
  const current = await getUser(id);
  if (!current) throw new Error(`user ${id} not found`);
  return realmAdmin('PUT', `/users/${id}`, { ...current, ...patch });
}

export async function setPassword(id: string, password: string): Promise<void> {
  await ok(await realmAdmin('PUT', `/users/${id}/reset-password`, { type: 'password', value: password, temporary: false }), `setting the password of ${id}`);
}

export async function deleteUser(id: string): Promise<void> {
  const res = await realmAdmin('DELETE', `/users/${id}`);
  if (res.status !== 404) await ok(res, `deleting user ${id}`);
}

/** Deletes every user of the realm whose username starts with `prefix` (all users: ''); returns how many. */
export async function deleteUsers(prefix: string): Promise<number> {
  const doomed = (await listUsers()).filter((u) => u.username.startsWith(prefix) && !u.username.startsWith('service-account-'));
  for (const user of doomed) await deleteUser(user.id);
  return doomed.length;
}

export interface PasswordLogin {
  /** The ID token's payload, after its signature was checked with the realm's published key. */
  idToken: Record<string, unknown>;
  /** The OIDC userinfo endpoint's answer for the access token. */
  userinfo: Record<string, unknown>;
  accessToken: string;
}

/**
 * Signs `username` in with a password through the public test client (direct access grant, scope
 * openid), in the shared realm or `issuer` (another provisioned realm of the local Keycloak).
 */
export async function passwordLogin(username: string, password: string, issuer = keycloakIssuer): Promise<PasswordLogin> {
  const answer = await tokenRequest({ grant_type: 'password', client_id: LOGIN_TEST_CLIENT_ID, username, password, scope: 'openid' }, issuer);
  if (!answer.id_token) throw new Error('the token answer has no id_token');
  const idToken = await verifiedClaims(answer.id_token, issuer);
  const res = await ok(await fetch(`${issuer}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${answer.access_token}` } }), 'userinfo');
  return { idToken, userinfo: z.record(z.string(), z.unknown()).parse(await res.json()), accessToken: answer.access_token };
}

/** The payload of an RS256 JWT from the realm, after checking its signature against the realm's JWKS. */
async function verifiedClaims(jwt: string, issuer: string): Promise<Record<string, unknown>> {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) throw new Error('not a JWT');
  const { kid, alg } = z.object({ kid: z.string(), alg: z.literal('RS256') }).parse(JSON.parse(Buffer.from(header, 'base64url').toString()));
  const jwks = z.object({ keys: z.array(z.object({ kid: z.string() }).loose()) }).parse(await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json());
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`the realm publishes no key ${kid} (${alg})`);
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) throw new Error('the ID token signature does not verify');
  return z.record(z.string(), z.unknown()).parse(JSON.parse(Buffer.from(payload, 'base64url').toString()));
}
