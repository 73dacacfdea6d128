/** Builders for the account decider tests (given/when/then). */
import type { Account, Affiliation, Employee } from '../../src/iga/model.ts';
import type { DecisionInput } from '../../src/iga/accountDecision.ts';
import { defaultPolicy } from '../../src/iga/policy.ts';

export const TODAY = '2020-09-15';
export const NOW = '2020-09-15T08:00:00.000Z';
export const LATER = '2020-09-16T08:00:00.000Z';
export const ACCOUNT_ID = '5f0c2b1e-0000-4000-8000-000000000001';

export function employee(overrides: Partial<Employee> = {}): Employee {
  return {
    id: '101926',
    givenName: 'Gisle',
    familyName: 'Aas',
    nin: null,
    externalUser: true,
    mainPositionId: '30001233',
    startDate: '2020-01-01',
    endDate: null,
    secondaryPositions: [],
    ...overrides,
  };
}

export const aff = (startDate: string | null, endDate: string | null, positionId = '30001233'): Affiliation => ({ positionId, startDate, endDate });

/** An employee with one affiliation active on TODAY. */
export function input(overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    employee: employee(),
    affiliations: [aff('2020-01-01', null)],
    today: TODAY,
    now: NOW,
    policy: defaultPolicy,
    emailDomain: 'uib.no',
    ...overrides,
  };
}

/** An active account issued on 2020-09-01, in step with `employee()`. */
export function account(overrides: Partial<Account> = {}): Account {
  return {
    id: ACCOUNT_ID,
    personId: '101926',
    userName: 'gisaas@uib.no',
    active: true,
    givenName: 'Gisle',
    familyName: 'Aas',
    displayName: 'Gisle Aas',
    employeeNumber: '101926',
    created: '2020-09-01T06:00:00.000Z',
    lastModified: '2020-09-01T06:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
