/**
 * Which name a username claim gets inside one namespace, given what that namespace has granted so
 * far: the person's earlier name when they have one, else their own candidate, else the lowest free
 * shared candidate (usernameNamespaces.ts); `used-up` when none is left, and then which namespace
 * the claim goes on to. No I/O: the registry passes in reads of its store and applies the choice.
 */
import { stemOf } from './username.ts';
import { finalNamespace, ownCandidate, sharedCandidate, type UsernameNamespace } from './usernameNamespaces.ts';

/** What the owner of a namespace knows of it (reads of its store). */
export interface NamespaceState {
  /** The employee a local part was granted to, if any. */
  ownerOf(local: string): Promise<string | undefined>;
  /** The name this namespace granted the employee earlier, if any. */
  grantedTo(employeeId: string): Promise<string | undefined>;
  /** Index of the first shared candidate that may be free (every one below it is taken). */
  nextShared(): Promise<number>;
}

export type NameChoice =
  /** The person's name already: nothing to write. */
  | { kind: 'existing'; local: string }
  /** A new name for the person. `nextShared`: move the scan hint there (set when a shared candidate was taken); `usedUp`: that was the namespace's last free shared name. */
  | { kind: 'new'; local: string; nextShared?: number; usedUp?: boolean }
  /** No free name left here: the claim goes on to its next namespace. */
  | { kind: 'used-up' };

/**
 * The name for `employeeId` in `ns`. A `preferred` name (granted to the person before, maybe by
 * another namespace) counts only when it belongs to this namespace and is still the person's.
 */
export async function chooseName(ns: UsernameNamespace, claim: { employeeId: string; preferred?: string }, state: NamespaceState): Promise<NameChoice> {
  const { employeeId } = claim;
  const preferred = claim.preferred?.split('@')[0];
  if (preferred && stemOf(preferred) === ns.stem && (await state.ownerOf(preferred)) === employeeId) return { kind: 'existing', local: preferred };
  const earlier = await state.grantedTo(employeeId);
  if (earlier !== undefined) return { kind: 'existing', local: earlier };
  const own = ownCandidate(ns, employeeId);
  if (own !== null && (await state.ownerOf(own)) === undefined) return { kind: 'new', local: own };
  for (let i = await state.nextShared(); ; i++) {
    const local = sharedCandidate(ns, i);
    if (local === null) return { kind: 'used-up' };
    if ((await state.ownerOf(local)) !== undefined) continue;
    return { kind: 'new', local, nextShared: i + 1, ...(sharedCandidate(ns, i + 1) === null ? { usedUp: true } : {}) };
  }
}

/**
 * The namespaces a used-up claim goes on to: its own `fallbacks`, or for a claim from before
 * fallbacks existed (none given) the final fallback of its counter stem.
 */
export function remainingNamespaces(ns: UsernameNamespace, fallbacks: readonly UsernameNamespace[] | undefined): readonly UsernameNamespace[] {
  return fallbacks ?? (ns.scheme === 'counter' ? [finalNamespace(ns.stem)] : []);
}
