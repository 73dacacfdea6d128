/**
 * Sub-topology B, beside the person step, keyed by the person key: a username grant (from the
 * registry, C) or a brake verdict (from the brake, D) goes straight to the account step, with the
 * person as the person step last stored it (store `persons`, read only). It does not cross the
 * person-events topic and the person step a second time: neither changes anything the person step
 * keeps, nor a sponsor's standing. Parked events of the person (parking.ts) do not hold it back:
 * the account step decides on what is stored now, and a parked event, once applied, is decided on
 * again.
 * A DFØ person merged into a person first known from a publisher hands every change on to that
 * person: its inputs go to the person step (person-events), which does that (only with publishers).
 */
import { record, type KeyValueStore, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import type { AccountInput } from '../contracts/messages.ts';
import { STORE, type PersonState } from '../contracts/stores.ts';
import { PERSON_OUTPUTS } from './personProcessor.ts';
import { accountInputChange, personUpdate, unknownPerson } from './personUpdate.ts';

export const ACCOUNT_INPUT_OUTPUTS = { account: PERSON_OUTPUTS.account, personEvents: PERSON_OUTPUTS.personEvents } as const;

export function accountInputsProcessor(deps: IgaDeps): Processor<AccountInput> {
  let ctx: ProcessorContext;
  let persons: KeyValueStore<PersonState>;
  return {
    init(c) {
      ctx = c;
      persons = c.getStateStore(STORE.persons);
    },
    async process(r) {
      const e = r.value;
      const id = e.employeeId;
      const stored = await persons.get(id);
      const at = ctx.currentWallClockTime();
      if (deps.publishers && stored?.directory?.status === 'merged') {
        ctx.forward(record(id, e, at), ACCOUNT_INPUT_OUTPUTS.personEvents);
        return;
      }
      const { cause, extra } = accountInputChange(e, ctx.recordOrigin());
      const p = stored ?? unknownPerson(new Date(at).toISOString());
      ctx.forward(record(id, personUpdate(id, p, cause, extra), at), ACCOUNT_INPUT_OUTPUTS.account);
    },
  };
}
