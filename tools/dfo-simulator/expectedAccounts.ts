/**
 * The oracle for end-to-end checks and benchmarks: which employees of a simulated university
 * should hold an active account on a given day under a policy, computed straight from the DFØ
 * data with the pure rules (DFØ parser and mapper, affiliation and eligibility rules), with no
 * stream, store or broker in between. A person becomes known to iga-stream as a position holder,
 * so only holders are listed.
 */
import { parseAnsatt, parseStilling, toEmployee, toPosition } from '../../connectors/dfo/index.ts';
import { applyHolderRanges } from '../../src/iga/affiliations.ts';
import { assessEligibility } from '../../src/iga/eligibility.ts';
import type { Affiliation, DateRange, Employee, IsoDate } from '../../src/iga/model.ts';
import type { Policy } from '../../src/iga/policy.ts';
import type { RawObject } from './dataset.ts';

export interface ExpectedPerson {
  employee: Employee | null;
  affiliations: Affiliation[];
  /** True when the person should have an active account on the day. */
  eligible: boolean;
}

/** Every holder of every position, by normalised employee id, with the expected outcome. */
export function expectedAccounts(data: { employees: RawObject[]; positions: RawObject[] }, today: IsoDate, policy: Policy): Map<string, ExpectedPerson> {
  const employees = new Map<string, Employee>();
  for (const raw of data.employees) {
    const e = toEmployee(parseAnsatt(raw));
    employees.set(e.id, e);
  }
  const affiliations = new Map<string, Affiliation[]>();
  for (const raw of data.positions) {
    const p = toPosition(parseStilling(raw));
    const ranges = new Map<string, DateRange[]>();
    for (const h of p.holders) ranges.set(h.employeeId, [...(ranges.get(h.employeeId) ?? []), { startDate: h.startDate, endDate: h.endDate }]);
    // The same merge the person processor applies (duplicate ranges collapse, the longer end wins).
    for (const [id, r] of ranges) affiliations.set(id, applyHolderRanges(affiliations.get(id) ?? [], p.id, r).next);
  }
  const out = new Map<string, ExpectedPerson>();
  for (const [id, affs] of affiliations) {
    const employee = employees.get(id) ?? null;
    const { should } = assessEligibility({ employee, affiliations: affs, today, policy, now: `${today}T12:00:00Z`, emailDomain: 'example.no' });
    out.set(id, { employee, affiliations: affs, eligible: should });
  }
  return out;
}

/** How many accounts a university should yield on `today` (the count of eligible holders). */
export function expectedActiveCount(data: { employees: RawObject[]; positions: RawObject[] }, today: IsoDate, policy: Policy): number {
  let n = 0;
  for (const p of expectedAccounts(data, today, policy).values()) if (p.eligible) n++;
  return n;
}
