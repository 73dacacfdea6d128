/**
 * What the local Keycloak's realm holds for iga-stream, in one place: the clients, the client
 * scope that carries the profile into tokens, and each custom user attribute with the claim that
 * shows it. scripts/keycloak/provision.ts creates these; test/support/keycloakServer.ts reads them.
 */

/** The driver's confidential client: a service account that may manage the realm's users. */
export const DRIVER_CLIENT_ID = 'iga-stream-driver';
/** A public client for tests and the demo: signs a user in with a password (direct access grant). */
export const LOGIN_TEST_CLIENT_ID = 'iga-stream-login-test';
/** The client scope, default in the realm and on both clients, whose mappers add the claims below. */
export const PROFILE_SCOPE = 'iga-profile';

/** The controlled vocabulary of eduPersonAffiliation (eduPerson 202001, 2.2.1). */
export const EDUPERSON_AFFILIATIONS = ['faculty', 'student', 'staff', 'alum', 'member', 'affiliate', 'employee', 'library-walk-in'] as const;

export interface ProfileAttribute {
  /** The user attribute (the name the Admin REST API and the LDAP entry use). */
  name: string;
  displayName: string;
  /** The claim in the ID token, the access token and the userinfo answer. */
  claim: string;
  multivalued: boolean;
  /** The JSON type of the claim (of each value when multi-valued). */
  claimType: 'String' | 'long';
  /** Keycloak validators (user profile `validations`): a value they refuse fails the whole write with 400. */
  validations: Record<string, Record<string, unknown>>;
}

/**
 * The attributes the driver writes. Names follow the LDAP attributes (employeeNumber from
 * inetOrgPerson, eduPersonAffiliation from eduPerson, igaAccountId and igaAccountVersion from our
 * igaStream class), claims follow OIDC's snake case (eduperson_affiliation as in REFEDS' draft
 * "eduPerson & SCHAC attributes as OpenID Connect claims").
 */
export const PROFILE_ATTRIBUTES: ProfileAttribute[] = [
  { name: 'employeeNumber', displayName: 'Employee number (DFØ)', claim: 'employee_number', multivalued: false, claimType: 'String',
    validations: { length: { min: 1, max: 32 } } },
  { name: 'eduPersonAffiliation', displayName: 'Affiliations (eduPersonAffiliation)', claim: 'eduperson_affiliation', multivalued: true, claimType: 'String',
    validations: { options: { options: [...EDUPERSON_AFFILIATIONS] } } },
  { name: 'igaAccountId', displayName: 'iga-stream account id', claim: 'iga_account_id', multivalued: false, claimType: 'String',
    validations: { pattern: { pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', 'error-message': 'igaAccountId must be a lower-case UUID' } } },
  // Not a claim a relying party needs, but the mapper shows it to tests (which version signed in).
  { name: 'igaAccountVersion', displayName: 'iga-stream account version', claim: 'iga_account_version', multivalued: false, claimType: 'long',
    validations: { integer: { min: 1 } } },
];
