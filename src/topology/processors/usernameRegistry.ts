/**
 * Sub-topology C, keyed by username stem: the single owner of every name with that stem, so
 * uniqueness across the whole deployment is decided in one place and never by chance. A claim is
 * answered with the person's earlier name when they have one, else the lowest free candidate.
 * Names are never released, so they are never reused.
 * Store: `usernames` — `n:<local>` → owner, `p:<stem>|<employee>` → local, `s:<stem>` → next free index hint.
 */
import { candidateName, stemOf, userNameFor } from '../../iga/username.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';
import { record, type Processor, type ProcessorContext } from '../../streams/index.ts';
import type { IgaDeps } from '../deps.ts';
import type { PersonEvent, UsernameClaim } from '../messages.ts';

export const USERNAME_STORES = ['usernames'] as const;

export function usernameRegistry(deps: IgaDeps): Processor<UsernameClaim> {
  let ctx: ProcessorContext;
  let names: KeyValueStore<string | number>;

  async function grant(claim: UsernameClaim): Promise<string> {
    const { stem, employeeId } = claim;
    const preferred = claim.preferred?.split('@')[0];
    if (preferred && stemOf(preferred) === stem && (await names.get(`n:${preferred}`)) === employeeId) return preferred;
    const mine = await names.get(`p:${stem}|${employeeId}`);
    if (typeof mine === 'string') return mine;
    for (let n = Number((await names.get(`s:${stem}`)) ?? 0); ; n++) {
      const local = candidateName(stem, n);
      if ((await names.get(`n:${local}`)) !== undefined) continue;
      names.put(`n:${local}`, employeeId);
      names.put(`p:${stem}|${employeeId}`, local);
      names.put(`s:${stem}`, n + 1);
      return local;
    }
  }

  return {
    init(c) {
      ctx = c;
      names = c.getStateStore('usernames');
    },
    async process(r) {
      const claim = r.value;
      const local = await grant(claim);
      const event: PersonEvent = {
        type: 'username-granted', employeeId: claim.employeeId, userName: userNameFor(local, deps.emailDomain), ...(claim.cause ? { claimCause: claim.cause } : {}),
      };
      ctx.forward(record(claim.employeeId, event, r.timestamp));
    },
  };
}
