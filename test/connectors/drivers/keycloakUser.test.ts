/**
 * The Keycloak driver's pure parts: an account as a Keycloak user (create and update bodies), the
 * version verdict that keeps writes idempotent, the read-back comparison that catches what Keycloak
 * dropped, destination entries, Keycloak's error bodies, the token renewal margin, and the settings.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { AccountChange } from '../../../connectors/drivers/destination.ts';
import {
  ATTRIBUTES, createRepresentation, describeDifferences, desiredUser, differences, heldVersion, keycloakErrorText, MANAGED_ATTRIBUTES, toDestinationEntry,
  updateRepresentation, versionVerdict, type KeycloakUser,
} from '../../../connectors/drivers/keycloak/userRepresentation.ts';
import { parseKeycloakSettings } from '../../../connectors/drivers/keycloak/settings.ts';
import { renewMarginMs } from '../../../connectors/drivers/keycloak/tokens.ts';
import { PROFILE_ATTRIBUTES } from '../../../scripts/keycloak/realm.ts';

const AFFILIATIONS = ['employee', 'staff', 'member', 'faculty'];

function change(over: Partial<AccountChange['account']> = {}, affiliations = ['employee', 'staff', 'member']): AccountChange {
  const account = {
    id: '6f1c2a52-8a43-4c4e-9d7e-0c3b1f6a9e11', personId: '100001', userName: 'karnor@uib.no', active: true, givenName: 'Kari', familyName: 'Nordmann',
    displayName: 'Kari Nordmann', employeeNumber: '100001', created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version: 3, ...over,
  };
  return { changeId: `${account.id}:v${account.version}`, account, affiliations, cause: null };
}

/** What Keycloak shows after storing a body as written: empty attributes absent, names as sent. */
function asStored(body: KeycloakUser, id = 'kc-1'): KeycloakUser {
  const attributes = Object.fromEntries(Object.entries(body.attributes ?? {}).filter(([, v]) => v.length > 0));
  return { ...body, id, attributes, createdTimestamp: 1 };
}

const accountArb = fc.record({
  id: fc.uuid(),
  personId: fc.stringMatching(/^[1-9]\d{0,7}$/),
  userName: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/), fc.constantFrom('uib.no', 'example.no')).map(([l, d]) => `${l}@${d}`),
  active: fc.boolean(),
  givenName: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 20 })),
  familyName: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 20 })),
  displayName: fc.string(),
  employeeNumber: fc.option(fc.stringMatching(/^[1-9]\d{0,7}$/)),
  created: fc.constant('2026-01-01T00:00:00Z'),
  lastModified: fc.constant('2026-01-01T00:00:00Z'),
  version: fc.integer({ min: 1, max: 1_000_000 }),
});
const changeArb = fc.tuple(accountArb, fc.subarray(AFFILIATIONS)).map(([account, affs]): AccountChange => ({
  changeId: `${account.id}:v${account.version}`, account, affiliations: account.active ? affs : [], cause: null,
}));

describe('an account as a Keycloak user', () => {
  test('the username and e-mail are the account\'s userName; names, enabled and every attribute follow the account', () => {
    const d = desiredUser(change());
    assert.deepEqual(d, {
      username: 'karnor@uib.no', email: 'karnor@uib.no', emailVerified: true, firstName: 'Kari', lastName: 'Nordmann', enabled: true,
      attributes: {
        employeeNumber: ['100001'], eduPersonAffiliation: ['employee', 'staff', 'member'],
        igaAccountId: ['6f1c2a52-8a43-4c4e-9d7e-0c3b1f6a9e11'], igaAccountVersion: ['3'],
      },
    });
  });

  test('a blocked account is disabled and carries no affiliation, even if the change lists some; no employee number means none', () => {
    const d = desiredUser(change({ active: false, employeeNumber: null }, ['employee']));
    assert.equal(d.enabled, false);
    assert.deepEqual(d.attributes.eduPersonAffiliation, []);
    assert.deepEqual(d.attributes.employeeNumber, []);
    // A create leaves empty attributes out; an update sends them empty, which removes them.
    assert.deepEqual(Object.keys(createRepresentation(d).attributes ?? {}).sort(), ['igaAccountId', 'igaAccountVersion']);
    assert.deepEqual(updateRepresentation({ id: 'x', attributes: { eduPersonAffiliation: ['staff'] } }, d).attributes?.eduPersonAffiliation, []);
  });

  test('an empty or blank name is sent as no name', () => {
    const d = desiredUser(change({ givenName: '  ', familyName: '' }));
    assert.equal(d.firstName, undefined);
    assert.equal(d.lastName, undefined);
  });

  test('the driver writes exactly the attributes the local realm\'s user profile declares (scripts/keycloak/realm.ts)', () => {
    assert.deepEqual([...MANAGED_ATTRIBUTES].sort(), PROFILE_ATTRIBUTES.map((a) => a.name).sort());
  });

  test('an update keeps the attributes the driver does not own and replaces the ones it owns', () => {
    const stored: KeycloakUser = { id: 'kc-1', username: 'karnor@uib.no', attributes: { locale: ['nb'], eduPersonAffiliation: ['faculty'], igaAccountVersion: ['2'] }, requiredActions: [] };
    const body = updateRepresentation(stored, desiredUser(change()));
    assert.deepEqual(body.attributes?.locale, ['nb']);
    assert.deepEqual(body.attributes?.eduPersonAffiliation, ['employee', 'staff', 'member']);
    assert.deepEqual(body.attributes?.igaAccountVersion, ['3']);
    for (const field of ['username', 'email', 'firstName', 'lastName', 'enabled', 'emailVerified']) assert.ok(field in body, `${field} is sent: a PUT with attributes replaces the whole profile`);
  });

  test('property: what Keycloak stores as written shows no difference, and the entry read back is the account', () => {
    fc.assert(fc.property(changeArb, (c) => {
      const d = desiredUser(c);
      assert.deepEqual(differences(d, asStored(createRepresentation(d))), []);
      assert.deepEqual(differences(d, asStored(updateRepresentation({ id: 'kc-1', attributes: { locale: ['nb'] } }, d))), []);
      const entry = toDestinationEntry(asStored(createRepresentation(d)));
      assert.equal(entry.accountId, c.account.id);
      assert.equal(entry.version, c.account.version);
      assert.equal(entry.userName, c.account.userName);
      assert.equal(entry.active, c.account.active);
      assert.deepEqual(entry.attributes.eduPersonAffiliation, c.account.active ? [...c.affiliations].sort() : []);
      assert.equal(entry.attributes.employeeNumber, c.account.employeeNumber);
    }), { numRuns: 300 });
  });

  test('property: an attribute Keycloak dropped, or a value it changed, is a difference that names the field', () => {
    fc.assert(fc.property(changeArb, fc.constantFrom(...MANAGED_ATTRIBUTES), (c, dropped) => {
      const d = desiredUser(c);
      const stored = asStored(createRepresentation(d));
      delete stored.attributes![dropped];
      const found = differences(d, stored);
      assert.deepEqual(found.map((f) => f.field), d.attributes[dropped]!.length > 0 ? [dropped] : []);
      assert.deepEqual(differences(d, { ...asStored(createRepresentation(d)), enabled: !d.enabled }).map((f) => f.field), ['enabled']);
    }), { numRuns: 200 });
  });

  test('Keycloak\'s lower-casing of username and e-mail and its order of values are no difference; a changed name is', () => {
    const d = desiredUser(change({ userName: 'KarNor@UIB.no' }));
    const stored = asStored(createRepresentation(d));
    stored.username = 'karnor@uib.no';
    stored.email = 'karnor@uib.no';
    stored.attributes!.eduPersonAffiliation = ['member', 'employee', 'staff'];
    assert.deepEqual(differences(d, stored), []);
    stored.lastName = 'Hansen';
    const found = differences(d, stored);
    assert.equal(describeDifferences(found), 'lastName: wrote "Nordmann", Keycloak holds "Hansen"');
  });
});

describe('the version verdict', () => {
  test('a user without a version, or with an older one, is written; the same or a newer version is left alone', () => {
    assert.equal(versionVerdict(null, 1), 'write');
    assert.equal(versionVerdict(4, 5), 'write');
    assert.equal(versionVerdict(5, 5), 'unchanged');
    assert.equal(versionVerdict(6, 5), 'unchanged');
  });

  test('a rewrite (drift repair) writes the same version again, and still never an older one over a newer', () => {
    assert.equal(versionVerdict(5, 5, true), 'write');
    assert.equal(versionVerdict(null, 5, true), 'write');
    assert.equal(versionVerdict(4, 5, true), 'write');
    assert.equal(versionVerdict(6, 5, true), 'unchanged');
    fc.assert(fc.property(fc.option(fc.integer({ min: 1, max: 30 })), fc.integer({ min: 1, max: 30 }), (held, v) => {
      const plain = versionVerdict(held, v);
      const rewrite = versionVerdict(held, v, true);
      assert.equal(rewrite, held === null || held <= v ? 'write' : 'unchanged');
      if (plain === 'write') assert.equal(rewrite, 'write', 'a rewrite writes whatever a plain apply writes');
    }), { numRuns: 300 });
  });

  test('property: applying changes in any order, with repeats, ends at the newest version, and each version is written at most once', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 40 }), (versions) => {
      let held: number | null = null;
      const written: number[] = [];
      for (const v of versions) {
        if (versionVerdict(held, v) === 'write') {
          assert.ok(held === null || v > held, 'never an older version over a newer one');
          written.push(v);
          held = v;
        }
      }
      assert.equal(held, Math.max(...versions));
      assert.equal(new Set(written).size, written.length, 'a replay writes nothing twice');
    }), { numRuns: 500 });
  });

  test('the held version is read from igaAccountVersion; anything but a positive whole number is no version', () => {
    const user = (v?: string[]): KeycloakUser => ({ id: 'x', attributes: v ? { [ATTRIBUTES.accountVersion]: v } : {} });
    assert.equal(heldVersion(user(['17'])), 17);
    for (const bad of [undefined, [], [''], ['0'], ['-3'], ['1.5'], ['07'], ['x'], ['99999999999999999']]) assert.equal(heldVersion(user(bad)), null, JSON.stringify(bad));
  });
});

describe('Keycloak\'s error bodies', () => {
  const sent: KeycloakUser = { username: 'karnor@uib.no', firstName: '<b>', attributes: { eduPersonAffiliation: ['wizard'] } };
  test('a field error names the field and the value sent for it; a list of them is joined', () => {
    assert.equal(keycloakErrorText('{"field":"firstName","errorMessage":"error-person-name-invalid-character","params":["firstName"]}', sent),
      'firstName: error-person-name-invalid-character (sent "<b>")');
    assert.equal(keycloakErrorText('{"errors":[{"field":"eduPersonAffiliation","errorMessage":"error-invalid-value"},{"field":"igaAccountVersion","errorMessage":"error-invalid-number"}]}', sent),
      'eduPersonAffiliation: error-invalid-value (sent ["wizard"]); igaAccountVersion: error-invalid-number');
  });
  test('a plain message, an OAuth error and a body that is not JSON', () => {
    assert.equal(keycloakErrorText('{"errorMessage":"User exists with same email"}'), 'User exists with same email');
    assert.equal(keycloakErrorText('{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}'), 'Invalid client or Invalid client credentials');
    assert.equal(keycloakErrorText('<html>Bad Gateway</html>'), '<html>Bad Gateway</html>');
    assert.equal(keycloakErrorText(''), '(no message)');
  });
});

describe('token renewal', () => {
  test('a token is renewed a tenth of its lifetime before it expires, at least 5 s and at most 60 s early', () => {
    assert.equal(renewMarginMs(300_000), 30_000);
    assert.equal(renewMarginMs(10_000), 5_000);
    assert.equal(renewMarginMs(36_000_000), 60_000);
    fc.assert(fc.property(fc.integer({ min: 1_000, max: 100_000_000 }), (life) => {
      const m = renewMarginMs(life);
      assert.ok(m >= 5_000 && m <= 60_000);
    }));
  });
});

describe('the Keycloak driver\'s settings', () => {
  test('defaults are filled in and a trailing slash dropped; a CA file needs https', () => {
    const s = parseKeycloakSettings({ url: 'https://idp.uib.no/', realm: 'uib', clientId: 'iga', clientSecret: 's', caFile: '/etc/ca.pem' });
    assert.deepEqual(s, { url: 'https://idp.uib.no', realm: 'uib', clientId: 'iga', clientSecret: 's', caFile: '/etc/ca.pem', timeoutMs: 10_000, connectTimeoutMs: 5_000, pageSize: 100 });
    assert.throws(() => parseKeycloakSettings({ url: 'http://idp', realm: 'uib', clientId: 'iga', clientSecret: 's', caFile: '/etc/ca.pem' }), /caFile: a CA file needs an https:\/\/ url/);
    assert.throws(() => parseKeycloakSettings({ url: 'ftp://idp', realm: 'a b', clientId: '', clientSecret: 's' }), /url: .*realm: letters, digits.*clientId/);
  });
});
