/**
 * The users of one realm of the local Keycloak as a driver client sees them (client credentials of
 * that realm's confidential client): list, read, change, create and delete, for end-to-end tests
 * that damage what the Keycloak driver wrote, or check it, in a scratch realm or the shared one.
 * Also the service's settings for the Keycloak driver on that realm.
 */
import { z } from 'zod';
import { KeycloakUser } from './keycloakServer.ts';

export interface RealmClient { url: string; realm: string; clientId: string; clientSecret: string }

/** The service's settings for the Keycloak driver writing to `c` (IGA_DRIVERS is the caller's). */
export function keycloakDriverEnv(c: RealmClient): Record<string, string> {
  return { IGA_KEYCLOAK_URL: c.url, IGA_KEYCLOAK_REALM: c.realm, IGA_KEYCLOAK_CLIENT_ID: c.clientId, IGA_KEYCLOAK_CLIENT_SECRET: c.clientSecret };
}

export interface RealmUsers {
  /** Every user of the realm (service accounts are never listed), with attributes. */
  list(): Promise<KeycloakUser[]>;
  /** The users that carry this account id. */
  byAccountId(accountId: string): Promise<KeycloakUser[]>;
  get(id: string): Promise<KeycloakUser | undefined>;
  /** Reads the user, applies `patch` to its whole representation and PUTs it back. */
  update(id: string, patch: Partial<KeycloakUser>): Promise<void>;
  create(user: Record<string, unknown>): Promise<string>;
  remove(id: string): Promise<void>;
  setPassword(id: string, password: string): Promise<void>;
}

export function realmUsers(c: RealmClient): RealmUsers {
  let cached: { token: string; until: number } | undefined;
  const token = async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const res = await fetch(`${c.url}/realms/${c.realm}/protocol/openid-connect/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }),
    });
    if (!res.ok) throw new Error(`token for ${c.clientId} in ${c.realm}: ${res.status} ${await res.text()}`);
    const answer = z.object({ access_token: z.string(), expires_in: z.number() }).parse(await res.json());
    cached = { token: answer.access_token, until: Date.now() + (answer.expires_in - 10) * 1000 };
    return cached.token;
  };
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${c.url}/admin/realms/${c.realm}${path}`, {
      method, headers: { authorization: `Bearer ${await token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok && res.status !== 404) throw new Error(`${method} ${path} in ${c.realm}: ${res.status} ${await res.text()}`);
    return res;
  };
  const users = async (query: Record<string, string>) => z.array(KeycloakUser).parse(await (await call('GET', `/users?${new URLSearchParams({ briefRepresentation: 'false', max: '10000', ...query })}`)).json());
  const self: RealmUsers = {
    list: () => users({}),
    byAccountId: async (accountId) => (await users({ q: `igaAccountId:${accountId}` })).filter((u) => u.attributes?.igaAccountId?.includes(accountId)),
    async get(id) {
      const res = await call('GET', `/users/${id}`);
      return res.status === 404 ? undefined : KeycloakUser.parse(await res.json());
    },
    async update(id, patch) {
      const current = await self.get(id);
      if (!current) throw new Error(`user ${id} not found in ${c.realm}`);
      await call('PUT', `/users/${id}`, { ...current, ...patch });
    },
    async create(user) {
      const res = await call('POST', '/users', user);
      const id = res.headers.get('location')?.split('/').pop();
      if (!id) throw new Error('Keycloak created a user without a Location header');
      return id;
    },
    async remove(id) { await call('DELETE', `/users/${id}`); },
    async setPassword(id, password) { await call('PUT', `/users/${id}/reset-password`, { type: 'password', value: password, temporary: false }); },
  };
  return self;
}
