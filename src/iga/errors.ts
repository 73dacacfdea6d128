/**
 * Errors thrown by the pure IGA rules. Every one is a caller bug or bad input that retrying cannot
 * fix, so `retriable` is always false; retry code reads the flag, never the message.
 */

/** What went wrong, machine-readable. */
export type IgaRuleErrorCode =
  | 'invalid-date'
  | 'date-out-of-range'
  | 'invalid-username'
  | 'invalid-policy'
  | 'invalid-grant'
  /** A username claim found no free name in any namespace of its chain (see usernameNamespaces.ts). */
  | 'username-exhausted'
  | 'person-mismatch';

/** Invalid input to an IGA rule (never retriable). */
export class IgaRuleError extends Error {
  readonly retriable = false;
  readonly code: IgaRuleErrorCode;

  constructor(code: IgaRuleErrorCode, message: string) {
    super(message);
    this.name = 'IgaRuleError';
    this.code = code;
  }
}
