/**
 * What the account step is given about a person (PersonUpdate), built from the person step's
 * stored state. Shared by the person step (every change of a person) and the account-inputs step
 * (a username grant or a brake verdict, which change nothing the person step keeps).
 */
import type { RecordOrigin } from '../../runtime/api/index.ts';
import type { AccountInput, Cause, PersonUpdate } from '../contracts/messages.ts';
import type { PersonState } from '../contracts/stores.ts';

/** A person the person step has not stored (yet): no DFØ employee, no affiliations. */
export function unknownPerson(nowIso: string): PersonState {
  return { employee: null, affiliations: [], updatedAt: nowIso };
}

/** The update for person `id` in state `p`, caused by `cause`; `extra` adds or overrides fields (DFØ responses, a grant, a verdict). */
export function personUpdate(id: string, p: PersonState, cause: Cause, extra: Partial<PersonUpdate> = {}): PersonUpdate {
  return {
    employeeId: id, employee: p.employee, affiliations: p.affiliations, cause, dfoResponses: [],
    ...(p.sources ? { sources: p.sources } : {}), ...(p.directory ? { directory: p.directory } : {}), ...(p.sponsor ? { sponsor: p.sponsor } : {}), ...extra,
  };
}

/**
 * The cause and fields an account input brings: a grant is caused by the grant record itself (kind
 * `username`, `origin` its place in the topic), by way of the claim's cause; a verdict carries the
 * cause and DFØ responses of the block it answers, so the rules run again with those inputs.
 */
export function accountInputChange(e: AccountInput, origin: RecordOrigin | null): { cause: Cause; extra: Partial<PersonUpdate> } {
  if (e.type === 'brake-verdict') return { cause: e.cause, extra: { dfoResponses: e.dfoResponses, brake: e.verdict } };
  const c = e.claimCause;
  const via = c ? { via: { kind: c.kind, id: c.id, amqpMessageId: c.amqpMessageId, raw: c.raw } } : {};
  return { cause: { kind: 'username', id: e.employeeId, amqpMessageId: null, raw: origin, ...via }, extra: { grant: { userName: e.userName } } };
}
