/**
 * The local OpenLDAP directory for integration tests (scripts/slapd.sh): its addresses, the
 * test-only bind DNs, an LDAP client (ldapts) and helpers to read entries, try a password and
 * wipe ou=people. requireLdap() fails loudly with the command to run (integration tests never skip).
 */
import { readFileSync } from 'node:fs';
import { Client, InvalidCredentialsError, NoSuchObjectError, type ClientOptions, type Entry } from 'ldapts';
import { testCaFile } from './brokers.ts';

export const ldapPort = Number(process.env.IGA_LDAP_PORT ?? 3890);
export const ldapsPort = Number(process.env.IGA_LDAPS_PORT ?? 6360);
export const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
export const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
export const ldapSuffix = process.env.IGA_LDAP_SUFFIX ?? 'dc=example,dc=no';
export const peopleDn = `ou=people,${ldapSuffix}`;

export interface BindCredentials { dn: string; password: string }
/** The root DN: bypasses every access rule (inspect and wipe). TEST ONLY password. */
export const ldapRoot: BindCredentials = { dn: `cn=admin,${ldapSuffix}`, password: 'iga-ldap-admin' };
/** The driver's bind DN: writes ou=people, reads the rest. TEST ONLY password. */
export const ldapDriver: BindCredentials = { dn: `cn=iga-stream,ou=services,${ldapSuffix}`, password: 'iga-ldap-driver' };

/** TLS options that trust only the test CA (the listener's certificate is for 127.0.0.1 and localhost). */
export function testCaTlsOptions(): { ca: Buffer } {
  return { ca: readFileSync(testCaFile) };
}

/** A client bound as `as` (anonymous when omitted); close it with unbind(). */
export async function ldapClient(as?: BindCredentials, options: Partial<ClientOptions> = {}): Promise<Client> {
  const client = new Client({ url: ldapUrl, timeout: 10_000, connectTimeout: 3_000, ...options });
  if (as) {
    try {
      await client.bind(as.dn, as.password);
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw err;
    }
  }
  return client;
}

/** Runs `fn` with a client bound as `as` (at `url`, by default the shared slapd), and unbinds afterwards. */
export async function withLdap<T>(as: BindCredentials | undefined, fn: (client: Client) => Promise<T>, url = ldapUrl): Promise<T> {
  const client = await ldapClient(as, { url });
  try {
    return await fn(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Throws a clear error when slapd does not answer at `url` (the root DSE names our suffix). */
export async function requireLdap(url = ldapUrl): Promise<void> {
  const client = new Client({ url, timeout: 3_000, connectTimeout: 2_000 });
  try {
    const { searchEntries } = await client.search('', { scope: 'base', attributes: ['namingContexts'] });
    const contexts = ([] as string[]).concat(searchEntries[0]?.namingContexts as string | string[] ?? []);
    if (!contexts.includes(ldapSuffix)) throw new Error(`its naming contexts are ${JSON.stringify(contexts)}, not ${ldapSuffix}`);
  } catch (err) {
    throw new Error(`slapd is not usable at ${url} (${(err as Error).message}): run 'bash scripts/slapd.sh up' (settings IGA_LDAP_PORT, IGA_LDAP_SUFFIX)`);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** One entry with its user and operational attributes (read as root), or undefined when absent. */
export async function readEntry(dn: string): Promise<Entry | undefined> {
  return withLdap(ldapRoot, async (client) => {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['*', '+'] });
      return searchEntries[0];
    } catch (err) {
      if (err instanceof NoSuchObjectError) return undefined;
      throw err;
    }
  });
}

/** The entries directly under ou=people that match `filter` (read as root). */
export async function findPeople(filter = '(objectClass=*)', attributes = ['*', '+']): Promise<Entry[]> {
  return withLdap(ldapRoot, async (client) => (await client.search(peopleDn, { scope: 'one', filter, attributes })).searchEntries);
}

/** Deletes the entries under ou=people that match `filter` (people are leaves); returns how many. */
export async function deletePeople(filter: string): Promise<number> {
  return withLdap(ldapRoot, async (client) => {
    const { searchEntries } = await client.search(peopleDn, { scope: 'one', filter, attributes: ['1.1'] });
    for (const entry of searchEntries) await client.del(entry.dn);
    return searchEntries.length;
  });
}

/** Empties ou=people (a driver test's clean start). Do not use in tests that share the directory in parallel. */
export function wipePeople(): Promise<number> {
  return deletePeople('(objectClass=*)');
}

/** Whether `dn` can bind with `password`: false on invalid credentials (also a locked entry), throws on anything else. */
export async function canBind(dn: string, password: string): Promise<boolean> {
  try {
    await withLdap({ dn, password }, async () => undefined);
    return true;
  } catch (err) {
    if (err instanceof InvalidCredentialsError) return false;
    throw err;
  }
}

/** The values of an attribute as strings (ldapts gives a string for one value, an array for several). */
export function values(entry: Entry | undefined, attribute: string): string[] {
  const raw = entry?.[attribute];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}
