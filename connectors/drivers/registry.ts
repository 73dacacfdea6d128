/**
 * The destinations a deployment can name in IGA_DRIVERS, and how each is made from its settings.
 * A driver is listed here once its destination exists in connectors/drivers/<name>/; a name that
 * is known but has no factory (yet) stops start-up with a clear error instead of running without it.
 */
import type { Logger } from '../../src/common/log.ts';
import type { Destination } from './destination.ts';
import { createKeycloakDestination } from './keycloak/index.ts';
import { createLdapDestination } from './ldap/ldapDestination.ts';
import type { LdapSettings } from './ldap/settings.ts';

export const DRIVER_NAMES = ['ldap', 'keycloak'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

/** The Keycloak driver's settings (IGA_KEYCLOAK_*, validated in src/app/config.ts). */
export interface KeycloakSettings {
  /** Base URL of Keycloak, e.g. `https://idp.uib.no` (no `/realms/...`). */
  url: string;
  realm: string;
  clientId: string;
  clientSecret: string;
  /** PEM file of the CA(s) that signed Keycloak's certificate (https; read at start, checked readable by the config); without it the system's CAs. */
  caFile: string | null;
  timeoutMs: number;
  connectTimeoutMs: number;
}

export interface DriverSettings {
  ldap: LdapSettings;
  keycloak: KeycloakSettings;
}

type Factory<N extends DriverName> = (settings: DriverSettings[N], log: Logger) => Destination | Promise<Destination>;

/** The destinations this build has. */
export const destinationFactories: { [N in DriverName]?: Factory<N> } = {
  ldap: createLdapDestination,
  keycloak: (settings, log) => createKeycloakDestination(settings, { log }),
};

/** Makes the destination `name`; throws naming the setting when this build has no such driver. */
export async function createDestination<N extends DriverName>(name: N, settings: DriverSettings[N], log: Logger): Promise<Destination> {
  const factory = destinationFactories[name] as Factory<N> | undefined;
  if (!factory) throw new Error(`IGA_DRIVERS: the ${name} driver is not part of this build (connectors/drivers/${name}/ is missing); remove '${name}' from IGA_DRIVERS`);
  return factory(settings, log);
}
