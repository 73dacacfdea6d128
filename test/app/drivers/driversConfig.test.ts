/** IGA_DRIVERS and the drivers' settings (src/app/config.ts): defaults, each driver's required settings, secrets from files, TLS, clear errors. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/app/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'iga-drivers-config-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const ldap = { IGA_DRIVERS: 'ldap', IGA_LDAP_URL: 'ldap://127.0.0.1:3890', IGA_LDAP_BIND_DN: 'cn=iga-stream,ou=services,dc=uib,dc=no', IGA_LDAP_BIND_PASSWORD: 'secret' };
const issues = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail('expected a ConfigError');
};

describe('drivers configuration', () => {
  test('no driver by default; the status exchange, the affiliations, the retries and the changes port have defaults', () => {
    const c = loadConfig({});
    assert.deepEqual(c.drivers.names, []);
    assert.equal(c.drivers.ldap, null);
    assert.equal(c.drivers.statusExchange, 'ex_iga_status');
    assert.deepEqual(c.drivers.affiliations, ['employee', 'staff', 'member']);
    assert.deepEqual(c.drivers.retry, { initialMs: 500, maxMs: 30_000 });
    assert.equal(c.drivers.retryingTagEveryMs, 30_000);
    assert.deepEqual(c.changes, { port: 8082, host: '0.0.0.0', tokens: '', tokensFile: undefined });
  });

  test('the LDAP driver with its settings and defaults', () => {
    const c = loadConfig(ldap);
    assert.deepEqual(c.drivers.names, ['ldap']);
    assert.deepEqual(c.drivers.ldap, {
      url: 'ldap://127.0.0.1:3890', bindDn: 'cn=iga-stream,ou=services,dc=uib,dc=no', bindPassword: 'secret', baseDn: 'ou=people,dc=example,dc=no',
      startTls: false, caPem: null, lock: { attribute: 'pwdAccountLockedTime', value: '000001010000Z' }, timeoutMs: 10_000,
    });
  });

  test('the bind password from a file (trailing newline dropped), StartTLS with a CA file, another lock', () => {
    const c = loadConfig({
      ...ldap, IGA_LDAP_BIND_PASSWORD: '', IGA_LDAP_BIND_PASSWORD_FILE: file('pw', 's3cret\n'), IGA_LDAP_STARTTLS: 'true', IGA_LDAP_TLS_CA_FILE: file('ca.pem', 'PEM'),
      IGA_LDAP_BASE_DN: 'ou=people,dc=uib,dc=no', IGA_LDAP_LOCK_ATTRIBUTE: 'nsAccountLock', IGA_LDAP_LOCK_VALUE: 'TRUE',
    });
    assert.equal(c.drivers.ldap?.bindPassword, 's3cret');
    assert.equal(c.drivers.ldap?.startTls, true);
    assert.equal(c.drivers.ldap?.caPem, 'PEM');
    assert.equal(c.drivers.ldap?.baseDn, 'ou=people,dc=uib,dc=no');
    assert.deepEqual(c.drivers.ldap?.lock, { attribute: 'nsAccountLock', value: 'TRUE' });
  });

  test('a named driver without its settings names each missing one', () => {
    assert.deepEqual(issues({ IGA_DRIVERS: 'ldap' }), [
      'IGA_LDAP_URL: required with IGA_DRIVERS containing ldap',
      'IGA_LDAP_BIND_DN: required with IGA_DRIVERS containing ldap',
      'IGA_LDAP_BIND_PASSWORD (or IGA_LDAP_BIND_PASSWORD_FILE): required with IGA_DRIVERS=ldap',
    ]);
    assert.deepEqual(issues({ IGA_DRIVERS: 'keycloak' }), [
      'IGA_KEYCLOAK_URL: required with IGA_DRIVERS containing keycloak',
      'IGA_KEYCLOAK_REALM: required with IGA_DRIVERS containing keycloak',
      'IGA_KEYCLOAK_CLIENT_ID: required with IGA_DRIVERS containing keycloak',
      'IGA_KEYCLOAK_CLIENT_SECRET (or IGA_KEYCLOAK_CLIENT_SECRET_FILE): required with IGA_DRIVERS=keycloak',
    ]);
  });

  test('the Keycloak driver\'s settings, with the secret from a file', () => {
    const c = loadConfig({ ...ldap, IGA_DRIVERS: 'ldap,keycloak', IGA_KEYCLOAK_URL: 'http://127.0.0.1:8180/', IGA_KEYCLOAK_REALM: 'iga', IGA_KEYCLOAK_CLIENT_ID: 'iga-stream-driver', IGA_KEYCLOAK_CLIENT_SECRET_FILE: file('kc', 'abc\n') });
    assert.deepEqual(c.drivers.names, ['ldap', 'keycloak']);
    assert.deepEqual(c.drivers.keycloak, { url: 'http://127.0.0.1:8180', realm: 'iga', clientId: 'iga-stream-driver', clientSecret: 'abc', caFile: null, timeoutMs: 10_000, connectTimeoutMs: 5_000 });
  });

  test('bad values are named: unknown or repeated driver, URL, affiliations, both password forms, TLS mismatches, unreadable files', () => {
    assert.deepEqual(issues({ ...ldap, IGA_DRIVERS: 'ldap,ad,ldap' }).filter((i) => i.startsWith('IGA_DRIVERS')), [
      "IGA_DRIVERS: unknown driver 'ad' (known: ldap, keycloak)", "IGA_DRIVERS: 'ldap' is named twice",
    ]);
    assert.match(issues({ ...ldap, IGA_LDAP_URL: 'http://x' }).join(), /IGA_LDAP_URL: expected ldap:\/\/host:port or ldaps:\/\/host:port/);
    assert.match(issues({ IGA_DRIVER_AFFILIATIONS: 'employee,teacher' }).join(), /IGA_DRIVER_AFFILIATIONS: 'teacher' is not an eduPersonAffiliation value/);
    assert.match(issues({ ...ldap, IGA_LDAP_BIND_PASSWORD_FILE: file('pw2', 'x') }).join(), /IGA_LDAP_BIND_PASSWORD and IGA_LDAP_BIND_PASSWORD_FILE: give one of them/);
    assert.match(issues({ ...ldap, IGA_LDAP_URL: 'ldaps://127.0.0.1:6360', IGA_LDAP_STARTTLS: 'true' }).join(), /IGA_LDAP_STARTTLS: StartTLS is for ldap:\/\/ URLs/);
    assert.match(issues({ ...ldap, IGA_LDAP_TLS_CA_FILE: file('ca2.pem', 'PEM') }).join(), /IGA_LDAP_TLS_CA_FILE: set, but the connection is not TLS/);
    assert.match(issues({ ...ldap, IGA_LDAP_URL: 'ldaps://127.0.0.1:6360', IGA_LDAP_TLS_CA_FILE: join(dir, 'missing.pem') }).join(), /IGA_LDAP_TLS_CA_FILE: cannot read .*missing\.pem: ENOENT/);
    assert.match(issues({ IGA_DRIVER_RETRY_INITIAL_MS: '5000', IGA_DRIVER_RETRY_MAX_MS: '1000' }).join(), /IGA_DRIVER_RETRY_INITIAL_MS: must not exceed IGA_DRIVER_RETRY_MAX_MS/);
  });
});
