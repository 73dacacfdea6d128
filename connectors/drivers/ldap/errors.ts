/**
 * LDAP errors as the driver framework reads them: DestinationRefused when the directory rejects
 * this account's data (a syntax, constraint, schema or naming problem: retrying the same data
 * fails again), DestinationUnavailable for everything else — no connection, a timeout, busy,
 * unavailable, and also a refused bind or missing access, which are the deployment's to fix and
 * never the account's (retried, with the error in the tag, until they are).
 */
import { DestinationRefused, DestinationUnavailable } from '../destination.ts';

/** LDAP result codes (RFC 4511 appendix A) that say the entry's data is refused. */
export const REFUSED_RESULT_CODES: ReadonlyMap<number, string> = new Map([
  [17, 'undefinedAttributeType'],
  [18, 'inappropriateMatching'],
  [19, 'constraintViolation'],
  [20, 'attributeOrValueExists'],
  [21, 'invalidAttributeSyntax'],
  [34, 'invalidDNSyntax'],
  [64, 'namingViolation'],
  [65, 'objectClassViolation'],
  [67, 'notAllowedOnRDN'],
  [68, 'entryAlreadyExists'],
  [69, 'objectClassModsProhibited'],
]);

/** The LDAP result code of an ldapts error, or null for a transport error (socket, TLS, timeout). */
export function resultCodeOf(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

/** Maps an error of an LDAP operation to the framework's two kinds; `what` says which operation. */
export function ldapError(err: unknown, what: string): DestinationRefused | DestinationUnavailable {
  if (err instanceof DestinationRefused || err instanceof DestinationUnavailable) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = resultCodeOf(err);
  const refused = code === null ? undefined : REFUSED_RESULT_CODES.get(code);
  if (refused) return new DestinationRefused(`LDAP ${what}: ${refused} (${code}): ${message}`, { cause: err });
  return new DestinationUnavailable(`LDAP ${what}: ${code === null ? '' : `result ${code}: `}${message}`, { cause: err });
}
