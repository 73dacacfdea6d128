/**
 * A throwaway realm on the local Keycloak, made through the master realm's admin (test-only
 * credentials, README "Local LDAP and Keycloak"), for tests that must change what the shared realm
 * `iga` keeps stable: a user profile that lacks the driver's attributes, a driver client without
 * the roles to manage users, tokens revoked under the driver. It has a confidential client with a
 * service account (realm-management's manage-users and view-users unless told otherwise).
 * `drop()` deletes the realm with everything in it.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PROFILE_ATTRIBUTES } from '../../scripts/keycloak/realm.ts';
import { keycloakUrl } from './keycloakServer.ts';

const admin = {
  username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin',
  password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'iga-keycloak-admin',
};

async function masterToken(): Promise<string> {
  const res = await fetch(`${keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: admin.username, password: admin.password }),
  });
  if (!res.ok) throw new Error(`master admin login failed: ${res.status} ${await res.text()}`);
  return z.object({ access_token: z.string() }).parse(await res.json()).access_token;
}

async function adminCall(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${keycloakUrl}/admin/realms${path}`, {
    method,
    headers: { authorization: `Bearer ${await masterToken()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} /admin/realms${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

const Identified = z.object({ id: z.string() }).loose();

export interface ScratchRealm {
  realm: string;
  clientId: string;
  clientSecret: string;
  /** Declares exactly these of the driver's attributes in the user profile (the built-in ones stay); `userEditOnly` ones only users may edit, not administrators. */
  declare(names: string[], userEditOnly?: string[]): Promise<void>;
  /** Sets the realm's not-before to now: every token issued so far is refused from now on. */
  revokeTokens(): Promise<void>;
  drop(): Promise<void>;
}

export async function createScratchRealm(opts: { declared: string[]; userRoles?: boolean }): Promise<ScratchRealm> {
  const realm = `scratch-${randomBytes(4).toString('hex')}`;
  const clientId = 'scratch-driver';
  const clientSecret = randomBytes(16).toString('hex');
  await adminCall('POST', '', { realm, enabled: true });

  const declare = async (names: string[], userEditOnly: string[] = []): Promise<void> => {
    const config = z.object({ attributes: z.array(z.object({ name: z.string() }).loose()) }).loose().parse(await adminCall('GET', `/${realm}/users/profile`));
    const ours = new Set(PROFILE_ATTRIBUTES.map((a) => a.name));
    await adminCall('PUT', `/${realm}/users/profile`, {
      ...config,
      attributes: [
        ...config.attributes.filter((a) => !ours.has(a.name)),
        ...PROFILE_ATTRIBUTES.filter((a) => names.includes(a.name)).map((a) => ({
          name: a.name, displayName: a.displayName, multivalued: a.multivalued, validations: a.validations, permissions: { view: ['admin', 'user'], edit: userEditOnly.includes(a.name) ? ['user'] : ['admin'] }, annotations: {},
        })),
      ],
    });
  };
  await declare(opts.declared);

  await adminCall('POST', `/${realm}/clients`, {
    clientId, protocol: 'openid-connect', publicClient: false, clientAuthenticatorType: 'client-secret', secret: clientSecret,
    serviceAccountsEnabled: true, standardFlowEnabled: false, directAccessGrantsEnabled: false,
  });
  const [client] = z.array(Identified).parse(await adminCall('GET', `/${realm}/clients?clientId=${clientId}`));
  if (opts.userRoles ?? true) {
    const serviceUser = Identified.parse(await adminCall('GET', `/${realm}/clients/${client!.id}/service-account-user`));
    const [management] = z.array(Identified).parse(await adminCall('GET', `/${realm}/clients?clientId=realm-management`));
    const roles = await Promise.all(['manage-users', 'view-users'].map(async (r) => Identified.parse(await adminCall('GET', `/${realm}/clients/${management!.id}/roles/${r}`))));
    await adminCall('POST', `/${realm}/users/${serviceUser.id}/role-mappings/clients/${management!.id}`, roles);
  }

  return {
    realm, clientId, clientSecret, declare,
    revokeTokens: async () => {
      // Not-before counts in whole seconds: a token issued in this second would still pass.
      await new Promise((r) => setTimeout(r, 1_100));
      const current = Identified.parse(await adminCall('GET', `/${realm}`));
      await adminCall('PUT', `/${realm}`, { ...current, notBefore: Math.floor(Date.now() / 1000) });
    },
    drop: async () => { await adminCall('DELETE', `/${realm}`); },
  };
}
