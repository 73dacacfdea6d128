/**
 * A realm of the test's own on the local Keycloak, provisioned exactly as the shared realm `iga` is
 * (scripts/keycloak/provision.ts: user profile, the driver client with a secret of the test's own,
 * the login test client, the iga-profile scope and its claim mappers). For end-to-end tests that
 * sign people in and list or wipe every user: nothing another test or run does to the shared realm
 * (its users, or its driver secret, which a second checkout's `keycloak.sh up` re-provisions)
 * reaches it. `drop()` deletes it with everything in it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DRIVER_CLIENT_ID } from '../../scripts/keycloak/realm.ts';
import { keycloakUrl } from './keycloakServer.ts';
import { realmUsers, type RealmClient, type RealmUsers } from './keycloakRealmUsers.ts';

const PROVISION = fileURLToPath(new URL('../../scripts/keycloak/provision.ts', import.meta.url));
const admin = {
  username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin',
  password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'iga-keycloak-admin',
};

export interface OwnRealm extends RealmClient {
  /** `<keycloak>/realms/<realm>`: the issuer of its tokens. */
  issuer: string;
  users: RealmUsers;
  drop(): Promise<void>;
}

export async function provisionOwnRealm(prefix = 'e2e'): Promise<OwnRealm> {
  const realm = `${prefix}-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(16).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'iga-kc-realm-'));
  const secretFile = join(dir, 'secret');
  try {
    await writeFile(secretFile, clientSecret, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [PROVISION], {
        env: { PATH: process.env.PATH ?? '', IGA_KEYCLOAK_URL: keycloakUrl, IGA_KEYCLOAK_REALM: realm, IGA_KEYCLOAK_CLIENT_SECRET_FILE: secretFile, KC_BOOTSTRAP_ADMIN_USERNAME: admin.username, KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password },
      }, (err, stdout, stderr) => (err ? reject(new Error(`provisioning realm ${realm} failed: ${err.message}\n${stdout}${stderr}`)) : resolve()));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const client: RealmClient = { url: keycloakUrl, realm, clientId: DRIVER_CLIENT_ID, clientSecret };
  return {
    ...client, issuer: `${keycloakUrl}/realms/${realm}`, users: realmUsers(client),
    async drop() {
      const res = await fetch(`${keycloakUrl}/realms/master/protocol/openid-connect/token`, {
        method: 'POST', body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: admin.username, password: admin.password }),
      });
      const { access_token } = (await res.json()) as { access_token: string };
      await fetch(`${keycloakUrl}/admin/realms/${realm}`, { method: 'DELETE', headers: { authorization: `Bearer ${access_token}` } });
    },
  };
}
