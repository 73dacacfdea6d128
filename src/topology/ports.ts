/**
 * What the IGA topology needs from outside, in its own terms: the DFØ source it reads employees
 * and positions from (a port; connectors/dfo implements it), and the policy and naming settings.
 */
import type { BrakeLimits } from '../iga/brake.ts';
import type { Employee, Position } from '../iga/model.ts';
import type { Policy } from '../iga/policy.ts';
import type { PublishersConfig } from './contracts/publishers.ts';

/** DFØ's answer about one object: found (with the raw JSON object, for the audit) or gone (with DFØ's reason). */
export type FetchResult<T> = { kind: 'found'; value: T; raw: unknown } | { kind: 'gone'; reason: string };

/**
 * DFØ as the topology sees it: one employee or one position as of today, mapped to the domain
 * model. Ids are normalised DFØ ids. DFØ saying it has no such employee ("IKKE ANSATT") or no holder
 * of the position is the fact `gone`, not an error.
 *
 * Errors: one whose `retriable` is true (isRetriable) means DFØ could not answer now; the step
 * parks the event and tries again later. Any other error means the answer can never be used (DFØ
 * sent data that fails validation, or refused the request); the event is dead-lettered.
 */
export interface DfoSource {
  /** `attempts` replaces the source's own number of attempts for this call (1: one quick try, a parked event's retry). */
  getEmployee(id: string, opts?: { attempts?: number }): Promise<FetchResult<Employee>>;
  getPosition(id: string, opts?: { attempts?: number }): Promise<FetchResult<Position>>;
}

export interface IgaDeps {
  appId: string;
  dfo: DfoSource;
  policy: Policy;
  emailDomain: string;
  /** SCIM resource URIs are `${resourceUriPrefix}/Users/${id}`. */
  resourceUriPrefix: string;
  /** How often deferred events, parked retries and date timers are checked. */
  punctuateIntervalMs: number;
  /** Back-off before a parked DFØ fetch is tried again. */
  parkRetryMs?: number;
  /** The mass-change brake's limits; without them the defaults apply with no settle window (tests). */
  brake?: BrakeLimits;
  /**
   * The publishers file: with it the topology has the validation step (E), the profile-keys step (F)
   * and the person directory (G) for published profiles; without it, DFØ alone.
   */
  publishers?: PublishersConfig | null;
  /** The key of the nin's keyed hash in the person directory (IGA_NIN_HASH_KEY); required with `publishers`. */
  ninHashKey?: string;
}
