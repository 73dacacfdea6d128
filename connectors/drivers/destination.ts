/**
 * A destination of the change drivers (CIS's per-destination drivers): a system that holds a copy
 * of the accounts — an LDAP directory, an identity provider. The driver framework reads each change
 * off the notify topic in per-account order and hands it to the destination; the destination
 * writes it idempotently and never puts an older version over a newer one. Errors say what the
 * framework should do: DestinationUnavailable (down or slow: retry with back-off, for this driver
 * only) or DestinationRefused (this account's data is refused: tag the change failed, park it, go on).
 */
import type { Account } from '../../src/iga/model.ts';
import type { ChangeCause } from '../../src/topology/contracts/notify.ts';

/** One change to propagate: an account as of one version. */
export interface AccountChange {
  /** `<accountId>:v<version>`, the notify event id. */
  changeId: string;
  account: Account;
  /** The eduPersonAffiliation values the account carries now (none while it is blocked). */
  affiliations: string[];
  cause: ChangeCause | null;
}

export type ApplyOutcome =
  /** Written: the destination now holds this version. */
  | 'applied'
  /** Nothing to do: the destination already holds this version or a newer one. */
  | 'unchanged';

/** What a destination holds of one account (for drift checks and resync). */
export interface DestinationEntry {
  accountId: string;
  /** The account version the destination holds (null when it cannot tell, e.g. an entry made by hand). */
  version: number | null;
  userName: string;
  active: boolean;
  /** The attributes as the destination holds them, named as in the account (for drift reports). */
  attributes: Record<string, string | string[] | null>;
}

export interface ApplyOptions {
  /**
   * Write also when the destination holds this very version (never when it holds a newer one): a
   * drift repair, for an entry changed behind the driver's back (locked, renamed, an attribute
   * removed by hand), whose version alone says it is up to date.
   */
  rewrite?: boolean;
}

export interface Destination {
  /** `ldap`, `keycloak`: the driver name in settings, metrics, status records and commands. */
  readonly name: string;
  /** Writes the change if the destination holds an older version (or none; with `rewrite`, also the same version). */
  apply(change: AccountChange, options?: ApplyOptions): Promise<ApplyOutcome>;
  /** The destination's entry for one account, or null when it has none. */
  read(accountId: string): Promise<DestinationEntry | null>;
  /** Every entry the destination holds under the driver's care (drift checks). */
  list(): AsyncIterable<DestinationEntry>;
  close(): Promise<void>;
}

/** The destination is down, slow or overloaded: retry later; nothing is wrong with the change. */
export class DestinationUnavailable extends Error {
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DestinationUnavailable';
  }
}

/** The destination refused this account's data (a value it rejects): the change is tagged failed and parked. */
export class DestinationRefused extends Error {
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DestinationRefused';
  }
}
