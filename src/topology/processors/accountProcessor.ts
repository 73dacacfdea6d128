/**
 * Sub-topology B, second step, keyed by employee id. Runs the account decider on every person
 * change: asks the username registry for a name, creates, blocks, reactivates or modifies the
 * account, and emits the account (compacted topic, key = account id), a notify event and an audit
 * record with the decision's inputs. Store: `accounts` (employee id → AccountState).
 */
import { randomUUID } from 'node:crypto';
import { decideAccount, evolve, onUsernameGranted } from '../../iga/accountDecision.ts';
import type { AccountDecision, AccountState } from '../../iga/accountTypes.ts';
import { osloDate } from '../../iga/clock.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';
import { record, type Processor, type ProcessorContext } from '../../streams/index.ts';
import type { IgaDeps } from '../deps.ts';
import { buildAuditRecord } from '../auditRecord.ts';
import type { NotifyRecord, PersonUpdate, UsernameClaim } from '../messages.ts';

export const ACCOUNT_STORES = ['accounts'] as const;
export const ACCOUNT_OUTPUTS = { claims: 'username-claims-sink', accounts: 'accounts-sink', notify: 'notify-sink', audit: 'audit-sink' } as const;

export function resourceUri(prefix: string, accountId: string): string {
  return `${prefix}/Users/${accountId}`;
}

export function accountProcessor(deps: IgaDeps): Processor<PersonUpdate> {
  let ctx: ProcessorContext;
  let accounts: KeyValueStore<AccountState>;

  /** Forwards what the decision causes, then exactly one audit record with its links. */
  function emit(u: PersonUpdate, d: AccountDecision, now: string): void {
    const ts = ctx.currentWallClockTime();
    const account = 'account' in d ? d.account : null;
    let notify: NotifyRecord | undefined;
    if (d.kind === 'request-username') {
      const claim: UsernameClaim = { stem: d.stem, employeeId: u.employeeId, ...(d.preferredUserName ? { preferred: d.preferredUserName } : {}), cause: u.cause };
      ctx.forward(record(d.stem, claim, ts), ACCOUNT_OUTPUTS.claims);
    } else if (account) {
      ctx.forward(record(account.id, account, ts), ACCOUNT_OUTPUTS.accounts);
      notify = {
        eventId: `${account.id}:v${account.version}`,
        type: d.kind === 'create' ? 'CREATE' : 'MODIFY',
        accountId: account.id,
        resourceUri: resourceUri(deps.resourceUriPrefix, account.id),
        ...(d.kind !== 'create' && 'changed' in d ? { attributes: [...d.changed] } : {}),
        occurredAt: now,
      };
      ctx.forward(record(account.id, notify, ts), ACCOUNT_OUTPUTS.notify);
    }
    const audit = buildAuditRecord({
      employeeId: u.employeeId, decision: d, cause: u.cause, dfoResponses: u.dfoResponses, affiliations: u.affiliations,
      ...(notify ? { notify: { eventId: notify.eventId, type: notify.type, ...(notify.attributes ? { attributes: notify.attributes } : {}) } } : {}),
    });
    ctx.forward(record(u.employeeId, audit, ts), ACCOUNT_OUTPUTS.audit);
  }

  return {
    init(c) {
      ctx = c;
      accounts = c.getStateStore('accounts');
    },
    async process(r) {
      const u = r.value;
      const nowMs = ctx.currentWallClockTime();
      const today = osloDate(new Date(nowMs));
      const now = new Date(nowMs).toISOString();
      const state = (await accounts.get(u.employeeId)) ?? { status: 'none' };
      const input = { employee: u.employee, affiliations: u.affiliations, today, now, policy: deps.policy, emailDomain: deps.emailDomain };
      const decision = u.grant
        ? onUsernameGranted(state, input, { userName: u.grant.userName, accountId: randomUUID() })
        : decideAccount(state, input);
      const next = evolve(state, decision);
      if (JSON.stringify(next) !== JSON.stringify(state)) accounts.put(u.employeeId, next);
      emit(u, decision, now);
    },
  };
}
