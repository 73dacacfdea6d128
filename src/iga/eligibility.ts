/**
 * "Should this person have an account?" with a human-readable explanation, shared by every branch
 * of the account decider. BOTT rule: at least one affiliation active today; plus the policy's
 * optional `eksternbruker` requirement. With publishers: at least one active affiliation from any
 * source — DFØ's (under the rule above) or a publisher's (sources.ts).
 */
import type { Affiliation, IsoDate } from './model.ts';
import type { DecisionInput } from './accountTypes.ts';
import { activeAffiliations } from './affiliations.ts';
import { activeSourceAffiliations, describeSourceAffiliation, whyNotCounting, type SourceAffiliation } from './sources.ts';

/** The outcome of the eligibility check. */
export interface Eligibility {
  /** True iff the person should have an active account. */
  should: boolean;
  /** Affiliations active today under the policy; the employeeNumber is exposed iff non-empty. */
  active: Affiliation[];
  /** Why, e.g. "employee 101926 has 1 active affiliation on 2020-09-15: 30001233 [2020-08-01..open]". */
  why: string;
  /** The publishers' affiliations that count today (only when the input has sources). */
  sourceActive?: SourceAffiliation[];
}

/** Evaluates the eligibility rule on `input`. Pure. */
export function assessEligibility(input: DecisionInput): Eligibility {
  const dfo = assessDfo(input);
  if (!input.sources) return dfo;
  const sponsor = input.sources.sponsor ?? null;
  const sourceActive = activeSourceAffiliations(input.sources.affiliations, input.today, input.policy, sponsor);
  if (sourceActive.length === 0) {
    const notes = input.sources.affiliations.map((a) => whyNotCounting(a, input.today, input.policy, sponsor)).filter((w) => w !== null);
    return { ...dfo, sourceActive, why: `${dfo.why}; no publisher gives an affiliation active on ${input.today}${notes.length ? ` (${notes.join('; ')})` : ''}` };
  }
  const from = `${input.personId ?? input.employee?.id} has ${sourceActive.length} affiliation${sourceActive.length === 1 ? '' : 's'} from publishers active on ${input.today}: ${sourceActive.map(describeSourceAffiliation).join(', ')}`;
  return { should: true, active: dfo.active, sourceActive, why: dfo.should ? `${dfo.why}; ${from}` : from };
}

/** The DFØ side of the rule (BOTT). */
function assessDfo(input: DecisionInput): Eligibility {
  const { employee, policy, today } = input;
  const active = activeAffiliations(input.affiliations, today, policy);
  if (employee === null) {
    return { should: false, active, why: `the employee is not known (${countActive(active, today)})` };
  }
  const who = `employee ${employee.id}`;
  if (policy.requireExternalUser && !employee.externalUser) {
    return { should: false, active, why: `${who} is not an external user (eksternbruker) and policy ${policy.version} requires it (${countActive(active, today)})` };
  }
  if (active.length === 0) {
    return { should: false, active, why: `${who} has no affiliation active on ${today}${describeAll(input.affiliations)}` };
  }
  return { should: true, active, why: `${who} has ${countActive(active, today)}` };
}

/** '30001233 [2020-08-01..2021-07-31]', with 'open' for a missing date. */
export function describeAffiliation(a: Affiliation): string {
  return `${a.positionId} [${a.startDate ?? 'open'}..${a.endDate ?? 'open'}]`;
}

function countActive(active: Affiliation[], today: IsoDate): string {
  if (active.length === 0) return `no affiliation active on ${today}`;
  const noun = active.length === 1 ? 'affiliation' : 'affiliations';
  return `${active.length} ${noun} active on ${today}: ${active.map(describeAffiliation).join(', ')}`;
}

function describeAll(affs: Affiliation[]): string {
  return affs.length === 0 ? ' (none at all)' : ` (known: ${affs.map(describeAffiliation).join(', ')})`;
}
