/**
 * What a Keycloak failure means for the driver. No answer (refused, reset, timeout), 408, 425,
 * 429 and 5xx: Keycloak is down or busy, retry later (DestinationUnavailable). A 401/403 that a new
 * token does not cure, an unknown realm, a user profile that lacks the driver's attributes: the
 * configuration is wrong, which no account is to blame for, so it is a KeycloakConfigurationError
 * — retried like an outage (nothing is lost while an operator fixes it), with a message that says
 * what to fix. A 400/409 about one user's data is DestinationRefused (decided where the request is made).
 */
import { DestinationUnavailable } from '../destination.ts';
import { HttpTransportError } from './http.ts';

/** Keycloak's configuration (the realm, the driver client, its roles, the user profile) stops the driver: an operator must act. */
export class KeycloakConfigurationError extends DestinationUnavailable {
  readonly configuration = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`Keycloak configuration: ${message}`, options);
    this.name = 'KeycloakConfigurationError';
  }
}

/** Why a status means "retry later", or null when it does not. */
export function unavailableStatus(status: number): string | null {
  if (status === 429) return 'Keycloak is throttling requests';
  if (status === 408 || status === 425) return 'Keycloak did not take the request in time';
  if (status === 503) return 'Keycloak is unavailable (starting, stopping or overloaded)';
  if (status >= 500) return 'Keycloak failed';
  return null;
}

/** Node's codes for a server certificate that is not trusted or not for this host. */
const UNTRUSTED_CERTIFICATE = /^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_CERT$|ERR_TLS_CERT_ALTNAME_INVALID$)/;

/**
 * A transport error (no answer) as DestinationUnavailable, or as a KeycloakConfigurationError when
 * the server's certificate is not trusted (no retry fixes that; the CA file does). Anything else
 * is passed through.
 */
export function asUnavailable(err: unknown, what: string): unknown {
  if (!(err instanceof HttpTransportError)) return err;
  if (UNTRUSTED_CERTIFICATE.test(err.code)) {
    return new KeycloakConfigurationError(`the server's certificate is not trusted (${err.code}: ${err.message}); give the CA that signed it in IGA_KEYCLOAK_TLS_CA_FILE, and check that the URL's host is in the certificate`, { cause: err });
  }
  return new DestinationUnavailable(`Keycloak ${what}: no answer (${err.code}: ${err.message})`, { cause: err });
}
