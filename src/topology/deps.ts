/** What the IGA topology needs from outside: the DFØ source, the policy and naming settings. */
import type { DfoSource } from '../../connectors/dfo/index.ts';
import type { Policy } from '../iga/policy.ts';

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
  brake?: import('../iga/brake.ts').BrakeLimits;
}

export function internalTopics(appId: string) {
  return {
    personEvents: `${appId}-person-events-repartition`,
    usernameClaims: `${appId}-username-claims-repartition`,
  } as const;
}
