/**
 * Provisions the local Keycloak for iga-stream through the Admin REST API, idempotently
 * (scripts/keycloak.sh runs it after every `up`): the realm, a user profile that declares the
 * driver's attributes (Keycloak silently drops attributes its profile does not know), the driver's
 * confidential client with a service account that may manage users, a public client for password
 * logins in tests, and a default client scope whose mappers put the profile into the ID token,
 * the access token and the userinfo answer. Names are in ./realm.ts.
 * Run: node scripts/keycloak/provision.ts (settings from the environment, see `settings`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DRIVER_CLIENT_ID, LOGIN_TEST_CLIENT_ID, PROFILE_ATTRIBUTES, PROFILE_SCOPE, type ProfileAttribute } from './realm.ts';

const settings = z.object({
  IGA_KEYCLOAK_URL: z.url(),
  IGA_KEYCLOAK_REALM: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, . _ -'),
  IGA_KEYCLOAK_CLIENT_SECRET_FILE: z.string().min(1),
  KC_BOOTSTRAP_ADMIN_USERNAME: z.string().min(1),
  KC_BOOTSTRAP_ADMIN_PASSWORD: z.string().min(1),
}).parse(process.env);

const base = settings.IGA_KEYCLOAK_URL.replace(/\/$/, '');
const realm = settings.IGA_KEYCLOAK_REALM;
const driverSecret = readFileSync(settings.IGA_KEYCLOAK_CLIENT_SECRET_FILE, 'utf8').trim();

type Json = Record<string, unknown>;
const Identified = z.object({ id: z.string() }).loose();

async function adminToken(): Promise<string> {
  const res = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: settings.KC_BOOTSTRAP_ADMIN_USERNAME, password: settings.KC_BOOTSTRAP_ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`admin login as ${settings.KC_BOOTSTRAP_ADMIN_USERNAME} failed: ${res.status} ${await res.text()} (the bootstrap admin is made at the first start only: reset to change it)`);
  return z.object({ access_token: z.string() }).parse(await res.json()).access_token;
}

const token = await adminToken();

/** One Admin REST call under /admin/realms; 404 gives undefined when `allow404`, other failures throw. */
async function api(method: string, path: string, body?: unknown, allow404 = false): Promise<unknown> {
  const res = await fetch(`${base}/admin/realms${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 404 && allow404) return undefined;
  if (!res.ok) throw new Error(`${method} /admin/realms${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function ensureRealm(): Promise<void> {
  if (await api('GET', `/${realm}`, undefined, true)) return;
  await api('POST', '', { realm, enabled: true, displayName: 'iga-stream (local test realm)' });
  console.log(`created realm ${realm}`);
}

/** Declares our attributes in the user profile, keeping every other attribute as it is. */
async function ensureUserProfile(): Promise<void> {
  const config = z.object({ attributes: z.array(z.object({ name: z.string() }).loose()) }).loose().parse(await api('GET', `/${realm}/users/profile`));
  const ours = new Set(PROFILE_ATTRIBUTES.map((a) => a.name));
  const attributes = [
    ...config.attributes.filter((a) => !ours.has(a.name)),
    ...PROFILE_ATTRIBUTES.map((a) => ({
      name: a.name,
      displayName: a.displayName,
      multivalued: a.multivalued,
      validations: a.validations,
      // Only administrators (the driver's service account) write them; the user may see them.
      permissions: { view: ['admin', 'user'], edit: ['admin'] },
      annotations: {},
    })),
  ];
  await api('PUT', `/${realm}/users/profile`, { ...config, attributes });
}

async function findClient(clientId: string): Promise<Json | undefined> {
  const found = z.array(Identified).parse(await api('GET', `/${realm}/clients?clientId=${encodeURIComponent(clientId)}`));
  return found[0];
}

/** Creates the client or brings an existing one to `wanted` (other settings are kept). */
async function ensureClient(wanted: Json & { clientId: string }): Promise<string> {
  const existing = await findClient(wanted.clientId);
  if (existing) {
    await api('PUT', `/${realm}/clients/${String(existing.id)}`, { ...existing, ...wanted });
    return String(existing.id);
  }
  await api('POST', `/${realm}/clients`, wanted);
  const created = await findClient(wanted.clientId);
  if (!created) throw new Error(`client ${wanted.clientId} missing after creation`);
  console.log(`created client ${wanted.clientId}`);
  return String(created.id);
}

/** The service account of the driver's client gets realm-management's manage-users and view-users. */
async function grantUserManagement(clientUuid: string): Promise<void> {
  const serviceUser = Identified.parse(await api('GET', `/${realm}/clients/${clientUuid}/service-account-user`));
  const realmManagement = await findClient('realm-management');
  if (!realmManagement) throw new Error('client realm-management not found');
  const roles = await Promise.all(['manage-users', 'view-users'].map(async (role) =>
    Identified.parse(await api('GET', `/${realm}/clients/${String(realmManagement.id)}/roles/${role}`))));
  await api('POST', `/${realm}/users/${serviceUser.id}/role-mappings/clients/${String(realmManagement.id)}`, roles);
}

function attributeMapper(a: ProfileAttribute): Json {
  return {
    name: a.claim,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-usermodel-attribute-mapper',
    config: {
      'user.attribute': a.name,
      'claim.name': a.claim,
      'jsonType.label': a.claimType,
      multivalued: String(a.multivalued),
      'aggregate.attrs': 'false',
      'id.token.claim': 'true',
      'access.token.claim': 'true',
      'userinfo.token.claim': 'true',
      'introspection.token.claim': 'true',
    },
  };
}

/** Adds a client scope to a list of default scopes (PUT answers 409 when it is already there). */
async function ensureDefaultScope(listPath: string, scopeId: string): Promise<void> {
  const present = z.array(Identified).parse(await api('GET', listPath));
  if (!present.some((s) => s.id === scopeId)) await api('PUT', `${listPath}/${scopeId}`);
}

/** The client scope with one mapper per attribute, default for the realm's new clients. */
async function ensureProfileScope(): Promise<string> {
  const scopes = z.array(Identified.extend({ name: z.string() })).parse(await api('GET', `/${realm}/client-scopes`));
  let scope = scopes.find((s) => s.name === PROFILE_SCOPE);
  if (!scope) {
    await api('POST', `/${realm}/client-scopes`, {
      name: PROFILE_SCOPE,
      description: 'iga-stream profile: employee number, affiliations, account id and version',
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
    });
    const again = z.array(Identified.extend({ name: z.string() })).parse(await api('GET', `/${realm}/client-scopes`));
    scope = again.find((s) => s.name === PROFILE_SCOPE);
    if (!scope) throw new Error(`client scope ${PROFILE_SCOPE} missing after creation`);
    console.log(`created client scope ${PROFILE_SCOPE}`);
  }
  const models = `/${realm}/client-scopes/${scope.id}/protocol-mappers/models`;
  const mappers = z.array(Identified.extend({ name: z.string() })).parse(await api('GET', models));
  for (const attribute of PROFILE_ATTRIBUTES) {
    const wanted = attributeMapper(attribute);
    const existing = mappers.find((m) => m.name === wanted.name);
    if (existing) await api('PUT', `${models}/${existing.id}`, { ...wanted, id: existing.id });
    else await api('POST', models, wanted);
  }
  await ensureDefaultScope(`/${realm}/default-default-client-scopes`, scope.id);
  return scope.id;
}

await ensureRealm();
await ensureUserProfile();
const scopeId = await ensureProfileScope();
const driverUuid = await ensureClient({
  clientId: DRIVER_CLIENT_ID,
  name: 'iga-stream Keycloak driver',
  protocol: 'openid-connect',
  publicClient: false,
  clientAuthenticatorType: 'client-secret',
  secret: driverSecret,
  serviceAccountsEnabled: true,
  standardFlowEnabled: false,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: false,
});
await grantUserManagement(driverUuid);
const loginUuid = await ensureClient({
  clientId: LOGIN_TEST_CLIENT_ID,
  name: 'iga-stream password logins (tests and demo only)',
  protocol: 'openid-connect',
  publicClient: true,
  standardFlowEnabled: false,
  implicitFlowEnabled: false,
  directAccessGrantsEnabled: true,
});
// Clients made before the scope was a realm default do not have it yet.
for (const uuid of [driverUuid, loginUuid]) await ensureDefaultScope(`/${realm}/clients/${uuid}/default-client-scopes`, scopeId);

console.log(`realm ${realm} ready: issuer ${base}/realms/${realm}; clients ${DRIVER_CLIENT_ID} (secret in ${settings.IGA_KEYCLOAK_CLIENT_SECRET_FILE}) and ${LOGIN_TEST_CLIENT_ID}`);
