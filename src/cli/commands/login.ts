/**
 * `iga-stream login <username> --password <p> [--json]`: signs a person in to the Keycloak realm
 * with a password (through a login client with direct access grants, by default the local
 * realm's test client) and prints the ID token's claims and the userinfo answer — the profile the
 * Keycloak driver wrote, as a relying party receives it at login and on request. For the demo and
 * for checking a realm by hand. Settings: IGA_KEYCLOAK_URL, IGA_KEYCLOAK_REALM,
 * IGA_KEYCLOAK_LOGIN_CLIENT_ID (IGA_KEYCLOAK_LOGIN_CLIENT_SECRET for a confidential one),
 * IGA_KEYCLOAK_TLS_CA_FILE, IGA_KEYCLOAK_TIMEOUT_MS.
 */
import { z } from 'zod';
import { HttpTransportError } from '../../../connectors/drivers/keycloak/http.ts';
import { LoginFailed, passwordLogin, type PasswordLoginResult, type PasswordLoginSettings } from '../../../connectors/drivers/keycloak/passwordLogin.ts';
import { KEYCLOAK_DEFAULTS } from '../../../connectors/drivers/keycloak/settings.ts';
import { parseCommandArgs } from './args.ts';
import { CliError } from './cliError.ts';

const USAGE = 'iga-stream login <username> --password <password> [--json]';
/** The local realm's public client for password logins (scripts/keycloak/realm.ts). */
export const DEFAULT_LOGIN_CLIENT_ID = 'iga-stream-login-test';

const unset = (v: string | undefined) => (v === '' ? undefined : v);
const LoginEnv = z.object({
  IGA_KEYCLOAK_URL: z.url({ protocol: /^https?$/ }).default(KEYCLOAK_DEFAULTS.url),
  IGA_KEYCLOAK_REALM: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, . _ -').default(KEYCLOAK_DEFAULTS.realm),
  IGA_KEYCLOAK_LOGIN_CLIENT_ID: z.string().min(1).default(DEFAULT_LOGIN_CLIENT_ID),
  IGA_KEYCLOAK_LOGIN_CLIENT_SECRET: z.string().min(1).optional(),
  IGA_KEYCLOAK_TLS_CA_FILE: z.string().min(1).optional(),
  IGA_KEYCLOAK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export function loginSettings(env: NodeJS.ProcessEnv): PasswordLoginSettings {
  const parsed = LoginEnv.safeParse(Object.fromEntries(Object.keys(LoginEnv.shape).map((k) => [k, unset(env[k])])));
  if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 2);
  const e = parsed.data;
  return {
    url: e.IGA_KEYCLOAK_URL, realm: e.IGA_KEYCLOAK_REALM, clientId: e.IGA_KEYCLOAK_LOGIN_CLIENT_ID,
    clientSecret: e.IGA_KEYCLOAK_LOGIN_CLIENT_SECRET ?? null, caFile: e.IGA_KEYCLOAK_TLS_CA_FILE ?? null, timeoutMs: e.IGA_KEYCLOAK_TIMEOUT_MS,
  };
}

export async function loginCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { password: { type: 'string' }, json: { type: 'boolean' } }, USAGE, true);
  const [username, ...extra] = positionals;
  if (!username || extra.length > 0 || values.password === undefined) throw new CliError(`a username and --password are needed\nusage: ${USAGE}`, 2);
  const settings = loginSettings(process.env);
  let result: PasswordLoginResult;
  try {
    result = await passwordLogin(settings, username, values.password);
  } catch (err) {
    if (err instanceof LoginFailed) throw new CliError(err.message, 1);
    if (err instanceof HttpTransportError) throw new CliError(`Keycloak does not answer at ${settings.url}: ${err.message}`, 1);
    throw err;
  }
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderLogin(result, settings));
}

export function renderLogin(r: PasswordLoginResult, settings: PasswordLoginSettings): string {
  const sorted = (claims: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(claims).sort(([a], [b]) => a.localeCompare(b))), null, 2);
  return [
    `signed in as ${String(r.idToken.preferred_username ?? r.idToken.sub)} at ${r.issuer} (client ${settings.clientId})`,
    '',
    'ID token claims (the profile at login):',
    sorted(r.idToken),
    '',
    'userinfo (the profile on request):',
    sorted(r.userinfo),
    '',
  ].join('\n');
}
