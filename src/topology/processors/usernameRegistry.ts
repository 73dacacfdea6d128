/**
 * Sub-topology C, keyed by username stem: the single owner of every name with that stem, so
 * uniqueness across the whole deployment is decided in one place and never by chance. A claim is
 * answered with the person's earlier name when they have one, else the lowest free candidate of the
 * claim's namespace (src/iga/usernameNamespaces.ts). When the namespace has no free name left, the
 * claim is passed on through the claims topic, keyed by the next stem of its chain, to the owner of
 * that namespace: a task never grants a name outside its own stem. Names are never released, so
 * they are never reused.
 * Store: `usernames` — `n:<local>` → owner, `p:<stem>|<employee>` → local, `s:<stem>` → next free
 * counter index, `w:<stem>` → next free index of an employee-id namespace's wide range.
 */
import { IgaRuleError } from '../../iga/errors.ts';
import { userNameFor } from '../../iga/username.ts';
import { chooseName, remainingNamespaces, type NamespaceState } from '../../iga/usernameChoice.ts';
import type { UsernameNamespace } from '../../iga/usernameNamespaces.ts';
import type { KeyValueStore } from '../../runtime/api/index.ts';
import { record, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import { usernameClaimSchema, type PersonEvent, type UsernameClaim } from '../contracts/messages.ts';
import { STORE, type UsernameStoreValue } from '../contracts/stores.ts';
import { usernameMetrics } from './usernameMetrics.ts';

export const REGISTRY_OUTPUTS = { grants: 'username-grants-sink', claims: 'username-claims-passed-on-sink' } as const;

export function usernameRegistry(deps: IgaDeps): Processor<unknown> {
  let ctx: ProcessorContext;
  let names: KeyValueStore<UsernameStoreValue>;

  const hintKey = (ns: UsernameNamespace) => `${ns.scheme === 'counter' ? 's' : 'w'}:${ns.stem}`;
  const stateOf = (ns: UsernameNamespace): NamespaceState => ({
    ownerOf: async (local) => (await names.get(`n:${local}`)) as string | undefined,
    grantedTo: async (employeeId) => (await names.get(`p:${ns.stem}|${employeeId}`)) as string | undefined,
    nextShared: async () => Number((await names.get(hintKey(ns))) ?? 0),
  });

  /** The person's name in `ns` (written to the store when new), or null when `ns` has none left. */
  async function grantIn(ns: UsernameNamespace, claim: UsernameClaim): Promise<string | null> {
    const choice = await chooseName(ns, claim, stateOf(ns));
    if (choice.kind === 'used-up') return null;
    if (choice.kind === 'new') {
      names.put(`n:${choice.local}`, claim.employeeId);
      names.put(`p:${ns.stem}|${claim.employeeId}`, choice.local);
      if (choice.nextShared !== undefined) names.put(hintKey(ns), choice.nextShared);
      if (choice.usedUp) ctx.log.info({ stem: ns.stem, scheme: ns.scheme, last: choice.local }, 'username namespace used up; later claims go on to their next namespace');
    }
    return choice.local;
  }

  return {
    init(c) {
      ctx = c;
      names = c.getStateStore(STORE.usernames);
    },
    async process(r) {
      const claim = usernameClaimSchema.parse(r.value);
      const ns: UsernameNamespace = { stem: claim.stem, scheme: claim.scheme ?? 'counter' };
      const local = await grantIn(ns, claim);
      if (local !== null) {
        const event: PersonEvent = {
          type: 'username-granted', employeeId: claim.employeeId, userName: userNameFor(local, deps.emailDomain), ...(claim.cause ? { claimCause: claim.cause } : {}),
        };
        usernameMetrics.granted.inc({ app: deps.appId, scheme: ns.scheme });
        ctx.forward(record(claim.employeeId, event, r.timestamp), REGISTRY_OUTPUTS.grants);
        return;
      }
      const [next, ...rest] = remainingNamespaces(ns, claim.fallbacks);
      if (next === undefined) {
        // Cannot happen with a chain that ends in an employee-id namespace (usernameNamespaces.ts).
        throw new IgaRuleError('username-exhausted', `no free username for employee ${claim.employeeId}: ${ns.scheme} namespace '${ns.stem}' is used up and was the last of the claim's chain`);
      }
      usernameMetrics.passedOn.inc({ app: deps.appId });
      ctx.log.debug({ employee: claim.employeeId, from: ns, to: next }, 'username claim passed on to the next namespace');
      const passed: UsernameClaim = { ...claim, stem: next.stem, scheme: next.scheme, fallbacks: rest };
      ctx.forward(record(next.stem, passed, r.timestamp), REGISTRY_OUTPUTS.claims);
    },
  };
}
