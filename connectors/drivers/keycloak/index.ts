/**
 * The Keycloak destination's factory, what the driver framework calls for `IGA_DRIVERS=keycloak`:
 * settings in (validated; the service reads them from IGA_KEYCLOAK_* in src/app/config.ts), a Destination
 * out. The CA file is read here, so a wrong path stops start-up; Keycloak itself is first asked on
 * the first apply, read or list (a Keycloak that is down at start-up is an outage, not a crash).
 */
import { componentLogger, type Logger } from '../../../src/common/log.ts';
import { KeycloakAdminApi } from './adminApi.ts';
import { HttpTransport } from './http.ts';
import { KeycloakDestination } from './keycloakDestination.ts';
import { parseKeycloakSettings, type KeycloakSettingsInput } from './settings.ts';
import { ClientCredentialsTokens } from './tokens.ts';

export { KeycloakDestination } from './keycloakDestination.ts';
export { KeycloakConfigurationError } from './errors.ts';
export { keycloakSettingsSchema, KeycloakSettingsError, KEYCLOAK_DEFAULTS, type KeycloakSettings, type KeycloakSettingsInput } from './settings.ts';

export function createKeycloakDestination(input: KeycloakSettingsInput, opts: { log?: Logger } = {}): KeycloakDestination {
  const settings = parseKeycloakSettings(input);
  const log = opts.log ?? componentLogger('keycloak-driver');
  const http = new HttpTransport(settings.url, { caFile: settings.caFile, timeoutMs: settings.timeoutMs, connectTimeoutMs: settings.connectTimeoutMs });
  const tokens = new ClientCredentialsTokens(http, {
    tokenUrl: `${settings.url}/realms/${encodeURIComponent(settings.realm)}/protocol/openid-connect/token`,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
  });
  const api = new KeycloakAdminApi(http, tokens, { url: settings.url, realm: settings.realm, clientId: settings.clientId, log });
  return new KeycloakDestination(api, { realm: settings.realm, pageSize: settings.pageSize, log });
}
