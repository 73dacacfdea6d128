/**
 * The demo's change drivers (`npm run demo -- --drivers`): the local OpenLDAP and Keycloak that
 * scripts/slapd.sh and scripts/keycloak.sh run, each emptied of the previous demo's people (LDAP:
 * the branch `ou=demo,ou=people,<suffix>`; Keycloak: the realm's users of the demo's e-mail
 * domain), the service's settings for both drivers and the publisher's view, waiting until the
 * drivers caught up, their counts, and a password for a demo person so that `iga-stream login`
 * can sign them in. Local test credentials only (README "Local LDAP and Keycloak").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { passwordLogin } from '../../../connectors/drivers/keycloak/passwordLogin.ts';
import type { DriverReport } from '../../features/drivers/routes.ts';
import { terminalStatus } from '../../common/terminalStatus.ts';
import { DEFAULT_LOGIN_CLIENT_ID } from './login.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const suffix = process.env.IGA_LDAP_SUFFIX ?? 'dc=example,dc=no';
const keycloakPort = process.env.IGA_KEYCLOAK_PORT ?? '8180';

export const demoLdap = {
  url: `ldap://127.0.0.1:${process.env.IGA_LDAP_PORT ?? '3890'}`,
  base: `ou=demo,ou=people,${suffix}`,
  root: { dn: `cn=admin,${suffix}`, password: 'iga-ldap-admin' },
  driver: { dn: `cn=iga-stream,ou=services,${suffix}`, password: 'iga-ldap-driver' },
};
export const demoKeycloak = {
  url: `http://127.0.0.1:${keycloakPort}`,
  realm: process.env.IGA_KEYCLOAK_REALM ?? 'iga',
  clientId: 'iga-stream-driver',
  secretFile: join(process.env.IGA_CACHE ?? join(ROOT, '.cache'), 'keycloak', keycloakPort, 'iga-stream-driver.secret'),
};
export const DEMO_PUBLISHER_TOKEN = 'demo-publisher-token-0123456789';

/** Empties both destinations of the previous demo's people; returns the service's settings for the drivers and the publisher's view. */
export async function prepareDemoDestinations(emailDomain: string, say: (line: string) => void): Promise<Record<string, string>> {
  const removed = await emptyLdapBranch();
  say(`LDAP: ${demoLdap.base} on ${demoLdap.url}${removed ? ` (${removed} entries of the previous demo removed)` : ''}`);
  if (!existsSync(demoKeycloak.secretFile)) throw new Error(`no Keycloak driver secret at ${demoKeycloak.secretFile}: run 'bash scripts/keycloak.sh up' (npm run demo -- --drivers does)`);
  const wiped = await deleteDemoUsers(emailDomain, (n, total) => terminalStatus.show(`  Keycloak: removing the previous demo's users: ${n}/${total}`));
  terminalStatus.done();
  say(`Keycloak: realm ${demoKeycloak.realm} on ${demoKeycloak.url}${wiped ? ` (${wiped} users of the previous demo removed)` : ''}`);
  return {
    IGA_DRIVERS: 'ldap,keycloak',
    IGA_LDAP_URL: demoLdap.url, IGA_LDAP_BIND_DN: demoLdap.driver.dn, IGA_LDAP_BIND_PASSWORD: demoLdap.driver.password, IGA_LDAP_BASE_DN: demoLdap.base,
    IGA_KEYCLOAK_URL: demoKeycloak.url, IGA_KEYCLOAK_REALM: demoKeycloak.realm, IGA_KEYCLOAK_CLIENT_ID: demoKeycloak.clientId, IGA_KEYCLOAK_CLIENT_SECRET_FILE: demoKeycloak.secretFile,
    IGA_CHANGES_TOKENS: `demo-publisher:${DEMO_PUBLISHER_TOKEN}`, IGA_CHANGES_HOST: '127.0.0.1',
  };
}

/** Makes `ou=demo` under the people, or empties it; returns how many entries it removed. */
async function emptyLdapBranch(): Promise<number> {
  const client = new Client({ url: demoLdap.url, timeout: 10_000, connectTimeout: 3_000 });
  try {
    await client.bind(demoLdap.root.dn, demoLdap.root.password);
    const { searchEntries } = await client.search(demoLdap.base, { scope: 'one', attributes: ['1.1'], paged: { pageSize: 500 } }).catch((err: unknown) => {
      if ((err as { code?: number }).code === 32) return { searchEntries: null };
      throw err;
    });
    if (searchEntries === null) {
      await client.add(demoLdap.base, { objectClass: ['organizationalUnit'], ou: 'demo' });
      return 0;
    }
    for (const e of searchEntries) await client.del(e.dn);
    return searchEntries.length;
  } catch (err) {
    throw new Error(`slapd at ${demoLdap.url}: ${(err as Error).message} (run 'bash scripts/slapd.sh up'; npm run demo -- --drivers does)`);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** An Admin REST call on the demo realm as the driver client's service account (it may manage users). */
async function realmAdmin(method: string, path: string, body?: unknown): Promise<Response> {
  const tokenRes = await fetch(`${demoKeycloak.url}/realms/${demoKeycloak.realm}/protocol/openid-connect/token`, {
    method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: demoKeycloak.clientId, client_secret: readFileSync(demoKeycloak.secretFile, 'utf8').trim() }),
  }).catch((err: unknown) => { throw new Error(`Keycloak does not answer at ${demoKeycloak.url} (${(err as Error).message}): run 'bash scripts/keycloak.sh up'`); });
  if (!tokenRes.ok) throw new Error(`the Keycloak driver client cannot sign in to realm ${demoKeycloak.realm}: ${tokenRes.status} ${await tokenRes.text()} (bash scripts/keycloak.sh up provisions it)`);
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${demoKeycloak.url}/admin/realms/${demoKeycloak.realm}${path}`, {
    method, headers: { authorization: `Bearer ${access_token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok && res.status !== 404) throw new Error(`Keycloak ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

async function deleteDemoUsers(emailDomain: string, progress: (n: number, total: number) => void): Promise<number> {
  const users = (await (await realmAdmin('GET', `/users?${new URLSearchParams({ search: `*@${emailDomain}*`, max: '100000', briefRepresentation: 'true' })}`)).json()) as Array<{ id: string; username: string }>;
  const doomed = users.filter((u) => u.username.endsWith(`@${emailDomain}`));
  for (const [i, u] of doomed.entries()) {
    await realmAdmin('DELETE', `/users/${u.id}`);
    if (i % 10 === 0) progress(i, doomed.length);
  }
  return doomed.length;
}

/** The drivers' report from the admin API. */
export async function driverReports(adminUrl: string, adminToken: string): Promise<DriverReport[]> {
  const res = await fetch(`${adminUrl}/admin/drivers`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!res.ok) throw new Error(`GET /admin/drivers: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { drivers: DriverReport[] }).drivers;
}

/** Waits until every driver has caught up with the notify topic and none waits for its destination (at most `timeoutMs`; then the summary shows what waits). */
export async function waitForDrivers(adminUrl: string, adminToken: string, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const reports = await driverReports(adminUrl, adminToken).catch(() => null);
    const line = reports?.map((d) => `${d.name} ${d.tags.complete} complete, ${d.tags.failed} failed, ${d.waiting.length} retrying${d.progress.caughtUp ? '' : `, ${d.progress.behind} behind`}`).join('; ') ?? 'starting';
    terminalStatus.show(`  drivers: ${line}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (reports && reports.every((d) => d.progress.caughtUp && d.waiting.length === 0 && d.instance.retrying === 0)) break;
    if (Date.now() - started > timeoutMs) {
      terminalStatus.done();
      process.stdout.write(`drivers have not caught up after ${timeoutMs / 1000} s; the summary shows where they are (iga-stream drivers)\n`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  terminalStatus.done();
}

/**
 * Sets the Keycloak password of a demo person and checks that they can sign in with it through
 * the login client, as the printed `iga-stream login` command will.
 */
export async function setDemoPassword(userName: string, password: string): Promise<void> {
  const [user] = (await (await realmAdmin('GET', `/users?${new URLSearchParams({ username: userName, exact: 'true' })}`)).json()) as Array<{ id: string }>;
  if (!user) throw new Error(`Keycloak has no user ${userName}`);
  await realmAdmin('PUT', `/users/${user.id}/reset-password`, { type: 'password', value: password, temporary: false });
  await passwordLogin({ url: demoKeycloak.url, realm: demoKeycloak.realm, clientId: DEFAULT_LOGIN_CLIENT_ID, clientSecret: null, caFile: null, timeoutMs: 10_000 }, userName, password);
}
