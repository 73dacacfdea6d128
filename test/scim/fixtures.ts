/**
 * Test fixtures for the SCIM suite: accounts and a server started on port 0 with known clients.
 */
import type { Account } from '../../src/iga/model.ts';
import { AccountIndex } from '../../src/scim/accountIndex.ts';
import { startScimServer, type RunningScimServer, type ScimServerOptions } from '../../src/scim/server.ts';
import { TokenRegistry } from '../../src/common/tokenRegistry.ts';

export const TOKEN = 'dfo-connector-secret-0123456789';
export const OTHER_TOKEN = 'feide-sync-secret-abcdefghijkl';
export const PREFIX = 'https://gw-uib.intark.uh-it.no/iga/scim/v2';

/** A deterministic account; `n` picks id, names and numbers. */
export function account(n: number, over: Partial<Account> = {}): Account {
  const hex = n.toString(16).padStart(12, '0');
  return {
    id: `5f0c2b1e-0000-4000-8000-${hex}`,
    personId: String(100000 + n),
    userName: `user${n}@uib.no`,
    active: n % 3 !== 0,
    givenName: `Given${n}`,
    familyName: `Family${n}`,
    displayName: `Given${n} Family${n}`,
    employeeNumber: n % 5 === 0 ? null : String(100000 + n),
    created: `2020-01-${String((n % 28) + 1).padStart(2, '0')}T08:00:00Z`,
    lastModified: `2024-06-${String((n % 28) + 1).padStart(2, '0')}T08:00:00Z`,
    version: 1 + (n % 4),
    ...over,
  };
}

/** The sample of the BOTT text, as an Account. */
export const gisle: Account = {
  id: '362ff274-9bfb-11ea-bbd5-600308a4105a', personId: '333355', userName: 'gaa041@uib.no', active: true,
  givenName: 'Gisle', familyName: 'Aas', displayName: 'Gisle Aas', employeeNumber: '333355',
  created: '2010-01-23T04:56:22Z', lastModified: '2020-06-22T06:42:34Z', version: 7,
};

export function indexWith(accounts: Account[]): AccountIndex {
  const index = new AccountIndex();
  for (const a of accounts) index.upsert(a);
  return index;
}

export interface TestServer extends RunningScimServer {
  index: AccountIndex;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Starts a server on port 0 with clients `dfo` and `feide`, 30 accounts plus `gisle`. */
export async function startTestServer(over: Partial<ScimServerOptions> = {}, accounts?: Account[]): Promise<TestServer> {
  const index = indexWith(accounts ?? [gisle, ...Array.from({ length: 30 }, (_, i) => account(i + 1))]);
  const server = await startScimServer({
    index, port: 0, resourceUriPrefix: PREFIX,
    auth: new TokenRegistry({ tokens: `dfo:${TOKEN},feide:${OTHER_TOKEN}` }),
    rateLimit: false,
    ...over,
  });
  const auth = { Authorization: `Bearer ${TOKEN}` };
  return {
    ...server,
    index,
    get: (path, headers = {}) => fetch(server.url + path, { headers: { ...auth, ...headers } }),
    post: (path, body, headers = {}) =>
      fetch(server.url + path, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/scim+json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}
