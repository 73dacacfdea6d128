/**
 * Finds the person an operator means: an employee number (zero padding accepted), an account id
 * (UUID) or a userName (the domain may be left out). Reads the local replicas only.
 */
import type { Account } from '../../iga/model.ts';
import type { AccountIndex } from '../../scim/accountIndex.ts';
import type { ExplainReplicas } from './replicas.ts';

export type ResolvedBy = 'employeeId' | 'accountId' | 'userName';

/** Who was found, and how. */
export interface Resolved { employeeId: string; by: ResolvedBy; account: Readonly<Account> | null }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The account of a person (a person has at most one), or null. */
export function accountOf(index: AccountIndex, employeeId: string): Readonly<Account> | null {
  const [id] = index.idsByPersonId(employeeId);
  return id === undefined ? null : (index.get(id) ?? null);
}

/**
 * Resolves `who`; null when nothing is known of it: no account with that id or userName, and for
 * an employee number neither a stored person, an account nor an audit record.
 */
export async function resolvePerson(who: string, deps: { index: AccountIndex; replicas: ExplainReplicas; emailDomain: string }): Promise<Resolved | null> {
  const { index, replicas } = deps;
  const text = who.trim();
  if (/^\d+$/.test(text)) {
    const employeeId = text.replace(/^0+(?=\d)/, '');
    const account = accountOf(index, employeeId);
    if (account || (await replicas.persons.get(employeeId)) || (await replicas.history(employeeId)).length > 0) return { employeeId, by: 'employeeId', account };
    return null;
  }
  if (UUID.test(text)) {
    const account = index.get(text.toLowerCase()) ?? index.get(text);
    return account ? { employeeId: account.personId, by: 'accountId', account } : null;
  }
  const userName = text.includes('@') ? text : `${text}@${deps.emailDomain}`;
  const [id] = index.idsByUserName(userName);
  const account = id === undefined ? undefined : index.get(id);
  return account ? { employeeId: account.personId, by: 'userName', account } : null;
}
