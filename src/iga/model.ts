/**
 * The IGA domain model: what iga-stream keeps of DFØ employees and positions, and the accounts it issues.
 * Pure data, no I/O. Dates are Europe/Oslo calendar days as 'YYYY-MM-DD'; `null` means open
 * (no start = since ever, no end = DFØ's 9999-12-31).
 */

/** A calendar day in Europe/Oslo, 'YYYY-MM-DD'. */
export type IsoDate = string;

/** A date range; both ends inclusive; null = open. */
export interface DateRange {
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

/** What we keep of a DFØ `ansatt`. */
export interface Employee {
  /** Normalised employee number: decimal digits, no leading zeros ('00101926' → '101926'). */
  id: string;
  givenName: string;
  familyName: string;
  /** National id (fnr); null when missing or one of DFØ's test numbers (`.+00[012]00$`). */
  nin: string | null;
  /** DFØ `eksternbruker` (defaults to true when absent). */
  externalUser: boolean;
  /** Main position id, normalised; null when absent or the placeholder 99999999. */
  mainPositionId: string | null;
  /** Main employment dates (`startdato`/`sluttdato`). */
  startDate: IsoDate | null;
  endDate: IsoDate | null;
  /** `tilleggsstilling`: secondary positions with their own dates. */
  secondaryPositions: Array<{ positionId: string } & DateRange>;
}

/** One `innehaver` entry of a position. */
export interface Holder extends DateRange {
  /** Normalised employee number. */
  employeeId: string;
}

/** What we keep of a DFØ `stilling`. */
export interface Position {
  /** Normalised position id (no leading zeros). */
  id: string;
  name: string | null;
  orgId: string | null;
  holders: Holder[];
}

/**
 * A person's affiliation: holding one position over one date range. A person can hold one position
 * several times with different ranges; (positionId, startDate) identifies an affiliation.
 */
export interface Affiliation extends DateRange {
  positionId: string;
}

/** Where an active affiliation comes from: DFØ (employee), a study right (student), a guest stay (guest). */
export type AffiliationKind = 'employee' | 'student' | 'guest';
export const AFFILIATION_KINDS: readonly AffiliationKind[] = ['employee', 'student', 'guest'];

/** An account as iga-stream issues it; the SCIM User is rendered from this. */
export interface Account {
  /** UUID, never changes once issued. */
  id: string;
  /** Employee id of the person who owns the account. */
  personId: string;
  /** `{local}@{domain}`, never changes and is never reused. */
  userName: string;
  active: boolean;
  givenName: string;
  familyName: string;
  displayName: string;
  /** DFØ employee number as a string while the person has an active DFØ affiliation, else null. */
  employeeNumber: string | null;
  /**
   * With publishers (README "One person across sources"): the kinds of affiliation that count today,
   * from every source, in this order (employee, student, guest); empty while blocked. Absent on the
   * accounts of persons only DFØ knows (their records are as before).
   */
  affiliationKinds?: AffiliationKind[];
  /** The student number (FS) by authority, when a source gives one. */
  studentNumber?: string;
  /** ISO timestamps. */
  created: string;
  lastModified: string;
  /** Increases by one on every change; the SCIM ETag and the notify event id derive from it. */
  version: number;
}
