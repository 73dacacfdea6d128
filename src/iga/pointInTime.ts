/**
 * Point-in-time evaluation: what the account rules say about a person on a given day, from what is
 * stored (no DFØ call). Used by the explain API for "why does this person have an account?" and
 * "what would happen on <date>?". Every verdict comes from the rules themselves
 * (`isAffiliationActive`, `decideAccount`); this module only adds the explanation around them.
 */
import { decideAccount } from './accountDecision.ts';
import type { AccountState, DecisionInput, DecisionRule } from './accountTypes.ts';
import { isAffiliationActive } from './affiliations.ts';
import { osloMidnightUtc } from './clock.ts';
import { addDays } from './dates.ts';
import { assessEligibility, describeAffiliation } from './eligibility.ts';
import type { Account, Affiliation, Employee, IsoDate } from './model.ts';
import type { Policy } from './policy.ts';

/** Where an affiliation stands on a day. */
export type AffiliationStanding = 'counts' | 'not-started' | 'ended' | 'ignored';

/** One affiliation on one day, with the days the policy lets it count. */
export interface AffiliationOnDay extends Affiliation {
  counts: boolean;
  standing: AffiliationStanding;
  /** First day it counts: the start date minus the start offset; null = open (or beyond the calendar). */
  countsFrom: IsoDate | null;
  /** Last day it counts: the end date plus the grace; null = open. */
  countsUntil: IsoDate | null;
  /** One sentence, e.g. "does not count yet on 2026-03-01: starts 2026-03-08, counts from 2026-03-02 (6 days early under policy p-1)". */
  why: string;
}

/** What the account rules say on `day`. */
export interface DayEvaluation {
  day: IsoDate;
  policyVersion: string;
  affiliations: AffiliationOnDay[];
  /** True iff the person should have an active account on `day`. */
  eligible: boolean;
  /** What the account decider would do on `day` given the account as it is now. */
  outcome: 'create' | 'block' | 'reactivate' | 'modify' | 'no change';
  rule: DecisionRule;
  detail: string;
}

/** How one affiliation stands on `day` under `policy`. Pure. */
export function affiliationOnDay(a: Affiliation, day: IsoDate, policy: Policy): AffiliationOnDay {
  const countsFrom = a.startDate === null ? null : shift(a.startDate, -policy.startOffsetDays);
  const countsUntil = a.endDate === null ? null : shift(a.endDate, policy.endGraceDays);
  const base = { positionId: a.positionId, startDate: a.startDate, endDate: a.endDate, countsFrom, countsUntil };
  const name = describeAffiliation(a);
  if (policy.ignoredPositionIds.includes(a.positionId)) {
    return { ...base, counts: false, standing: 'ignored', why: `${name} never counts: position ${a.positionId} is ignored by policy ${policy.version}` };
  }
  if (isAffiliationActive(a, day, policy)) {
    return { ...base, counts: true, standing: 'counts', why: `${name} counts on ${day}${window(a, countsFrom, countsUntil, policy)}` };
  }
  if (countsFrom !== null && day < countsFrom) {
    return { ...base, counts: false, standing: 'not-started', why: `${name} does not count yet on ${day}: it starts ${a.startDate}, counts from ${countsFrom}${early(policy)}` };
  }
  return { ...base, counts: false, standing: 'ended', why: `${name} no longer counts on ${day}: it ended ${a.endDate}, counted until ${countsUntil ?? a.endDate}${grace(policy)}` };
}

/**
 * Evaluates a stored person on `day`: each affiliation's standing, eligibility, and what the
 * account decider would do given `account` (null = no account yet). Pure; no DFØ call.
 */
export function evaluateOn(args: {
  day: IsoDate; employee: Employee | null; affiliations: Affiliation[]; account: Account | null; policy: Policy; emailDomain: string;
  /** A person first known from a publisher: its key and what the sources say (the names are not weighed here). */
  personId?: string; sources?: DecisionInput['sources'];
}): DayEvaluation {
  const { day, policy, account } = args;
  const state: AccountState = account ? { status: 'issued', account } : { status: 'none' };
  const input: DecisionInput = {
    employee: args.employee, affiliations: args.affiliations, today: day, now: osloMidnightUtc(day).toISOString(), policy, emailDomain: args.emailDomain,
    ...(args.personId ? { personId: args.personId } : {}), ...(args.sources ? { sources: args.sources } : {}),
  };
  const decision = decideAccount(state, input);
  const outcome: DayEvaluation['outcome'] =
    decision.kind === 'request-username' || decision.kind === 'create' ? 'create'
      : decision.kind === 'none' ? 'no change'
        : decision.kind;
  return {
    day,
    policyVersion: policy.version,
    affiliations: args.affiliations.map((a) => affiliationOnDay(a, day, policy)),
    eligible: assessEligibility(input).should,
    outcome,
    rule: decision.reason.rule,
    detail: decision.reason.detail,
  };
}

/** `d` moved by `n` days; null when that leaves the calendar (e.g. 9999-12-31 plus grace: open). */
function shift(d: IsoDate, n: number): IsoDate | null {
  try {
    return addDays(d, n);
  } catch {
    return null;
  }
}

function window(a: Affiliation, from: IsoDate | null, until: IsoDate | null, policy: Policy): string {
  const moved = (from !== a.startDate && from !== null) || (until !== a.endDate && until !== null);
  if (!moved) return '';
  return ` (counted ${from ?? 'open'}..${until ?? 'open'}${early(policy)}${grace(policy)})`;
}

function early(p: Policy): string {
  return p.startOffsetDays > 0 ? `, ${p.startOffsetDays} days before the start under policy ${p.version}` : '';
}

function grace(p: Policy): string {
  return p.endGraceDays > 0 ? `, ${p.endGraceDays} days' grace after the end under policy ${p.version}` : '';
}
