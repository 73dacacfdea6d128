/**
 * What a destination (an LDAP directory, an identity provider) is told about an account's
 * affiliation with the institution: its eduPersonAffiliation values. Pure rule: an active account
 * carries the values the policy gives employees (IGA_DRIVER_AFFILIATIONS, by default employee,
 * staff and member), and with publishers a student's and a guest's values too; a blocked account carries none, so relying parties that authorise by
 * affiliation stop granting access at once, even where the entry itself is kept.
 */

import type { AffiliationKind } from './model.ts';

/** eduPerson's controlled vocabulary for eduPersonAffiliation (eduPerson 202001, section 2.2.1). */
export const EDU_PERSON_AFFILIATIONS = ['faculty', 'student', 'staff', 'alum', 'member', 'affiliate', 'employee', 'library-walk-in'] as const;
export type EduPersonAffiliation = (typeof EDU_PERSON_AFFILIATIONS)[number];

/** The values every employee's active account carries unless the setting says otherwise. */
export const DEFAULT_EMPLOYEE_AFFILIATIONS: readonly EduPersonAffiliation[] = ['employee', 'staff', 'member'];

/**
 * Checks a list of affiliation values (the setting): each must be in eduPerson's vocabulary, none
 * repeated, at least one. Returns the problems (empty when valid), each naming the value.
 */
export function affiliationProblems(values: readonly string[]): string[] {
  const problems: string[] = [];
  if (values.length === 0) problems.push('at least one value is needed (an active account must carry an affiliation)');
  const seen = new Set<string>();
  for (const v of values) {
    if (!(EDU_PERSON_AFFILIATIONS as readonly string[]).includes(v)) problems.push(`'${v}' is not an eduPersonAffiliation value (${EDU_PERSON_AFFILIATIONS.join(', ')})`);
    else if (seen.has(v)) problems.push(`'${v}' is given twice`);
    seen.add(v);
  }
  return problems;
}

/** The values a student's and a guest's affiliation give (eduPerson: a guest is an affiliate). */
const SOURCE_VALUES: Record<Exclude<AffiliationKind, 'employee'>, readonly EduPersonAffiliation[]> = { student: ['student', 'member'], guest: ['affiliate'] };

/**
 * The eduPersonAffiliation values of an account (in the vocabulary's order, so equal settings give
 * equal lists), none while it is blocked. An account of a person only DFØ knows carries the employee
 * values; one whose kinds of affiliation are known (`affiliationKinds`, with publishers) carries
 * the employee values for `employee`, `student` and `member` for `student`, `affiliate` for `guest`.
 */
export function destinationAffiliations(account: { active: boolean; affiliationKinds?: readonly AffiliationKind[] }, employeeValues: readonly EduPersonAffiliation[] = DEFAULT_EMPLOYEE_AFFILIATIONS): EduPersonAffiliation[] {
  if (!account.active) return [];
  const kinds = account.affiliationKinds ?? ['employee'];
  const wanted = new Set(kinds.flatMap((k) => (k === 'employee' ? employeeValues : SOURCE_VALUES[k])));
  return EDU_PERSON_AFFILIATIONS.filter((v) => wanted.has(v));
}
