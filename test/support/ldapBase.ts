/**
 * A test's own branch of the shared directory: `ou=<name>,ou=people,<suffix>`, made and removed as
 * root. A driver test points IGA_LDAP_BASE_DN at it, so its usernames never meet another test's.
 */
import { ldapDriver, ldapRoot, ldapUrl, peopleDn, withLdap } from './ldapServer.ts';

/** The service's settings for the LDAP driver, writing below `baseDn` as the driver bind DN. */
export function ldapDriverEnv(baseDn: string, url = ldapUrl): Record<string, string> {
  return { IGA_DRIVERS: 'ldap', IGA_LDAP_URL: url, IGA_LDAP_BIND_DN: ldapDriver.dn, IGA_LDAP_BIND_PASSWORD: ldapDriver.password, IGA_LDAP_BASE_DN: baseDn };
}

export async function makeTestBase(name: string, url = ldapUrl): Promise<string> {
  const dn = `ou=${name},${peopleDn}`;
  await withLdap(ldapRoot, (c) => c.add(dn, { objectClass: ['organizationalUnit'], ou: name }), url);
  return dn;
}

/** Removes the branch and every entry in it. */
export async function removeTestBase(dn: string, url = ldapUrl): Promise<void> {
  await withLdap(ldapRoot, async (c) => {
    const { searchEntries } = await c.search(dn, { scope: 'one', attributes: ['1.1'] }).catch(() => ({ searchEntries: [] }));
    for (const e of searchEntries) await c.del(e.dn);
    await c.del(dn).catch(() => undefined);
  }, url);
}
