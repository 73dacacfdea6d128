/**
 * Upcoming account changes: given a person's stored affiliations, their account as it is now, and
 * the days their date timers will fire, which of those days create, block or reactivate the
 * account, and why. Pure. The account decider sets `active` to the eligibility of the day
 * (create when eligible without an account; block/reactivate when eligibility flips), so the days
 * are walked in order with `assessEligibility`, carrying the state forward.
 */
import { osloMidnightUtc } from './clock.ts';
import { assessEligibility } from './eligibility.ts';
import type { Account, Affiliation, Employee, IsoDate } from './model.ts';
import type { Policy } from './policy.ts';
import type { SourceAffiliation, SponsorStanding } from './sources.ts';

/** A person whose timers fire within the window. */
export interface UpcomingCandidate {
  employeeId: string;
  employee: Employee | null;
  affiliations: Affiliation[];
  /** The account as it is now; null when the person has none. */
  account: Pick<Account, 'id' | 'userName' | 'active'> | null;
  /** Days on which a timer of the person fires (any order, duplicates allowed). */
  days: IsoDate[];
  /** The publishers' affiliations and the sponsor's standing (a person a publisher knows); absent: DFØ alone. */
  sources?: { affiliations: SourceAffiliation[]; sponsor: SponsorStanding | null };
}

export interface UpcomingChange {
  day: IsoDate;
  employeeId: string;
  displayName: string | null;
  accountId: string | null;
  userName: string | null;
  change: 'create' | 'block' | 'reactivate';
  /** The decider's rule for the change. */
  rule: 'request-username' | 'block-not-eligible' | 'reactivate-eligible';
  /** The eligibility rule's sentence for that day. */
  why: string;
}

/**
 * The changes of one person within [today, until]. A timer day before today (due, not yet fired)
 * counts as today. Returns them in day order; days that change nothing give nothing.
 */
export function upcomingChanges(c: UpcomingCandidate, today: IsoDate, until: IsoDate, policy: Policy, emailDomain: string): UpcomingChange[] {
  const days = [...new Set(c.days.map((d) => (d < today ? today : d)))].filter((d) => d <= until).sort();
  let active: boolean | null = c.account ? c.account.active : null;
  const out: UpcomingChange[] = [];
  for (const day of days) {
    const elig = assessEligibility({
      employee: c.employee, affiliations: c.affiliations, today: day, now: osloMidnightUtc(day).toISOString(), policy, emailDomain,
      ...(c.sources ? { personId: c.employeeId, sources: { affiliations: c.sources.affiliations, names: null, sponsor: c.sources.sponsor } } : {}),
    });
    const change = active === null ? (elig.should ? 'create' : null) : active === elig.should ? null : elig.should ? 'reactivate' : 'block';
    if (change === null) continue;
    active = elig.should;
    out.push({
      day,
      employeeId: c.employeeId,
      displayName: c.employee ? `${c.employee.givenName} ${c.employee.familyName}`.trim() : null,
      accountId: c.account?.id ?? null,
      userName: c.account?.userName ?? null,
      change,
      rule: change === 'create' ? 'request-username' : change === 'block' ? 'block-not-eligible' : 'reactivate-eligible',
      why: elig.why,
    });
  }
  return out;
}

/** Orders changes by day, then employee id (numerically when both are digits). */
export function compareUpcoming(a: UpcomingChange, b: UpcomingChange): number {
  if (a.day !== b.day) return a.day < b.day ? -1 : 1;
  return a.employeeId.length - b.employeeId.length || (a.employeeId < b.employeeId ? -1 : a.employeeId > b.employeeId ? 1 : 0);
}
