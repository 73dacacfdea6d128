/**
 * "What will change next week?": every account that the date timers will create, block or
 * reactivate in the next N days, with the day and the reason. Reads the timers replica (who has a
 * timer in the window, and on which days) and evaluates each such person's stored affiliations with
 * the pure rules on those days against their account as it is now.
 */
import { addDays } from '../../iga/dates.ts';
import type { IsoDate } from '../../iga/model.ts';
import type { Policy } from '../../iga/policy.ts';
import { compareUpcoming, upcomingChanges, type UpcomingChange } from '../../iga/upcoming.ts';
import { sourcesOf } from './sourcesOf.ts';
import type { AccountIndex } from '../../scim/accountIndex.ts';
import { accountOf } from './lookup.ts';
import type { ExplainReplicas } from './replicas.ts';

export interface UpcomingReport {
  today: IsoDate;
  /** Last day of the window (today + days). */
  until: IsoDate;
  days: number;
  policyVersion: string;
  changes: UpcomingChange[];
  summary: { create: number; block: number; reactivate: number };
  /** Persons with a timer in the window (most timers change nothing). */
  personsWithTimers: number;
}

/** Builds the report for the window [today, today + days]. */
export async function upcomingReport(deps: { replicas: ExplainReplicas; index: AccountIndex; policy: Policy; emailDomain: string }, today: IsoDate, days: number): Promise<UpcomingReport> {
  const until = addDays(today, days);
  const timerDays = new Map<string, IsoDate[]>();
  // Timer keys are `<day>|<employee id>`; due ones not yet fired (day < today) are included and count as today.
  for await (const [key] of deps.replicas.timers.range({ lte: `${until}|\uffff` })) {
    const bar = key.indexOf('|');
    const id = key.slice(bar + 1);
    timerDays.set(id, [...(timerDays.get(id) ?? []), key.slice(0, bar)]);
  }
  const changes: UpcomingChange[] = [];
  for (const [employeeId, dayList] of timerDays) {
    const stored = await deps.replicas.persons.get(employeeId);
    // A DFØ side's account lives at the person it is the side of (which has the same days).
    if (!stored || stored.directory?.status === 'merged') continue;
    changes.push(...upcomingChanges(
      { employeeId, employee: stored.employee, affiliations: stored.affiliations, account: accountOf(deps.index, employeeId), days: dayList, ...sourcesOf(stored) },
      today, until, deps.policy, deps.emailDomain,
    ));
  }
  changes.sort(compareUpcoming);
  const count = (c: UpcomingChange['change']) => changes.filter((x) => x.change === c).length;
  return {
    today, until, days, policyVersion: deps.policy.version, changes,
    summary: { create: count('create'), block: count('block'), reactivate: count('reactivate') },
    personsWithTimers: timerDays.size,
  };
}
