/** The destinations a build has (connectors/drivers/registry.ts): a known driver without its destination stops start-up naming IGA_DRIVERS. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createDestination, destinationFactories, DRIVER_NAMES } from '../../../connectors/drivers/registry.ts';
import { rootLogger } from '../../../src/common/log.ts';

test('ldap is built in; a driver without a destination in this build is a clear start-up error', async () => {
  assert.deepEqual([...DRIVER_NAMES], ['ldap', 'keycloak']);
  const ldap = await createDestination('ldap', { url: 'ldap://127.0.0.1:1', bindDn: 'cn=x', bindPassword: 'x', baseDn: 'ou=people,dc=x', startTls: false, caPem: null, lock: { attribute: 'pwdAccountLockedTime', value: '000001010000Z' }, timeoutMs: 1000 }, rootLogger);
  assert.equal(ldap.name, 'ldap');
  await ldap.close();
  // A driver whose destination this build lacks (keycloak until connectors/drivers/keycloak/ lands; ldap removed here to show it).
  const saved = destinationFactories.ldap;
  delete destinationFactories.ldap;
  try {
    await assert.rejects(
      createDestination('ldap', { url: 'ldap://127.0.0.1:1', bindDn: 'cn=x', bindPassword: 'x', baseDn: 'ou=people,dc=x', startTls: false, caPem: null, lock: { attribute: 'a', value: 'b' }, timeoutMs: 1000 }, rootLogger),
      /IGA_DRIVERS: the ldap driver is not part of this build \(connectors\/drivers\/ldap\/ is missing\); remove 'ldap' from IGA_DRIVERS/,
    );
  } finally {
    destinationFactories.ldap = saved;
  }
  assert.ok(destinationFactories.keycloak, 'the Keycloak destination is part of this build');
});
