/**
 * `iga-stream login` against the real Keycloak, as the demo summary runs it: a person the Keycloak
 * destination wrote signs in with a password, and the command prints the ID token's claims and the
 * userinfo answer (the profile at login and on request). A wrong password or a disabled user fails
 * with Keycloak's words (exit 1), Keycloak not answering says where it looked (exit 1), and bad
 * settings or arguments are usage errors (exit 2).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { createKeycloakDestination } from '../../connectors/drivers/keycloak/index.ts';
import { runCli } from '../support/cli.ts';
import { deleteUsers, DRIVER_CLIENT_ID, driverSecretFile, keycloakIssuer, keycloakRealm, keycloakUrl, listUsers, requireKeycloak, setPassword } from '../support/keycloakServer.ts';

const run = `t${randomBytes(3).toString('hex')}`;
const env = { IGA_KEYCLOAK_URL: keycloakUrl, IGA_KEYCLOAK_REALM: keycloakRealm };

describe('iga-stream login', () => {
  const kc = createKeycloakDestination(
    { url: keycloakUrl, realm: keycloakRealm, clientId: DRIVER_CLIENT_ID, clientSecret: readFileSync(driverSecretFile, 'utf8').trim() },
    { log: pino({ level: 'silent' }) },
  );
  const accountId = randomUUID();
  const userName = `${run}ingrid@example.no`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const account = (version: number, active: boolean) => ({
    id: accountId, personId: '100077', userName, active, givenName: 'Ingrid', familyName: 'Ødegård', displayName: 'Ingrid Ødegård',
    employeeNumber: active ? '100077' : null, created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version,
  });

  beforeAll(async () => {
    await requireKeycloak();
    await kc.apply({ changeId: `${accountId}:v1`, account: account(1, true), affiliations: ['employee', 'member', 'staff'], cause: null });
    const [user] = await listUsers(`igaAccountId:${accountId}`);
    await setPassword(user!.id, password);
  });
  afterAll(async () => {
    await kc.close();
    await deleteUsers(run).catch(() => undefined);
  });

  test('prints the ID token\'s claims and the userinfo answer, both with the profile the driver wrote', async () => {
    const r = await runCli(['login', userName, '--password', password], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^signed in as ${userName} at ${keycloakIssuer} \\(client iga-stream-login-test\\)\\n`));
    const [, idPart, infoPart] = r.stdout.split(/\n(?:ID token claims|userinfo) \(the profile (?:at login|on request)\):\n/);
    for (const part of [idPart!, infoPart!]) {
      const claims = JSON.parse(part) as Record<string, unknown>;
      assert.equal(claims.preferred_username, userName);
      assert.equal(claims.family_name, 'Ødegård');
      assert.equal(claims.employee_number, '100077');
      assert.equal(claims.iga_account_id, accountId);
      assert.equal(claims.iga_account_version, 1);
      assert.deepEqual([...claims.eduperson_affiliation as string[]].sort(), ['employee', 'member', 'staff']);
    }
    const json = await runCli(['login', userName, '--password', password, '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { issuer: string; idToken: Record<string, unknown>; userinfo: Record<string, unknown> };
    assert.equal(parsed.issuer, keycloakIssuer);
    assert.equal(parsed.idToken.iss, keycloakIssuer);
    assert.equal(parsed.idToken.aud, 'iga-stream-login-test');
    assert.equal(parsed.userinfo.sub, parsed.idToken.sub);
    assert.equal(parsed.userinfo.email, userName);
  });

  test('a wrong password and a disabled user fail with Keycloak\'s words', async () => {
    const wrong = await runCli(['login', userName, '--password', 'not-it'], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`${userName} could not sign in to realm '${keycloakRealm}' through client 'iga-stream-login-test': 40[01] Invalid user credentials`));
    await kc.apply({ changeId: `${accountId}:v2`, account: account(2, false), affiliations: [], cause: null });
    const disabled = await runCli(['login', userName, '--password', password], env);
    assert.equal(disabled.code, 1);
    assert.match(disabled.stderr, /could not sign in .*: 400 Account disabled/);
  });

  test('Keycloak not answering, bad settings and bad arguments', async () => {
    const down = await runCli(['login', userName, '--password', password], { ...env, IGA_KEYCLOAK_URL: 'http://127.0.0.1:1' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /Keycloak does not answer at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    const badUrl = await runCli(['login', userName, '--password', password], { ...env, IGA_KEYCLOAK_URL: 'idp.example.no' });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /IGA_KEYCLOAK_URL: /);
    const noPassword = await runCli(['login', userName], env);
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /a username and --password are needed\nusage: iga-stream login/);
  });
});
