/**
 * Sub-topology B, second step, keyed by employee id. Runs the account decider on every person
 * change: asks the username registry for a name, creates, blocks, reactivates or modifies the
 * account, and emits the account (compacted topic, key = account id), a notify event and an audit
 * record with the decision's inputs. Store: `accounts` (employee id → AccountState).
 * A block goes through the mass-change brake (src/iga/brake.ts): it is proposed to the brake topic
 * and applied only when the brake's verdict (approved, or released by an operator) comes back; the
 * rules run again then, so a person who became eligible meanwhile is not blocked. Store
 * `brake-marks` (employee id → BrakeMark). Every punctuation interval the task reports its count of
 * active accounts to the brake (census), for the share limit.
 */
import { randomUUID } from 'node:crypto';
import { decideAccount, evolve, onUsernameGranted } from '../../iga/accountDecision.ts';
import { blockFingerprint, causeKeyOf, gateBlock, type BrakeMark, type GateResult } from '../../iga/brake.ts';
import type { AccountDecision, AccountState } from '../../iga/accountTypes.ts';
import { osloDate } from '../../iga/clock.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';
import { record, type Processor, type ProcessorContext } from '../../streams/index.ts';
import type { IgaDeps } from '../deps.ts';
import { buildAuditRecord } from '../auditRecord.ts';
import type { NotifyRecord, PersonUpdate, UsernameClaim } from '../messages.ts';
import { BRAKE_KEY, type AccountCensus, type BlockProposal } from '../brakeMessages.ts';
import type { AuditBrakeLink } from '../auditRecord.ts';

export const ACCOUNT_STORES = ['accounts', 'brake-marks'] as const;
export const ACCOUNT_OUTPUTS = { claims: 'username-claims-sink', accounts: 'accounts-sink', notify: 'notify-sink', audit: 'audit-sink', brake: 'brake-proposals-sink' } as const;

export function resourceUri(prefix: string, accountId: string): string {
  return `${prefix}/Users/${accountId}`;
}

export function accountProcessor(deps: IgaDeps): Processor<PersonUpdate> {
  let ctx: ProcessorContext;
  let accounts: KeyValueStore<AccountState>;
  let marks: KeyValueStore<BrakeMark>;
  /** Census: whether an account changed since the last count, and the count last sent. */
  let censusDirty = true;
  let censusSent: number | null = null;

  /** Forwards what the decision causes, then exactly one audit record with its links. */
  function emit(u: PersonUpdate, d: AccountDecision, now: string, brake?: AuditBrakeLink): void {
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
      employeeId: u.employeeId, decision: d, cause: u.cause, dfoResponses: u.dfoResponses, affiliations: u.affiliations, ...(brake ? { brake } : {}),
      ...(notify ? { notify: { eventId: notify.eventId, type: notify.type, ...(notify.attributes ? { attributes: notify.attributes } : {}) } } : {}),
    });
    ctx.forward(record(u.employeeId, audit, ts), ACCOUNT_OUTPUTS.audit);
  }

  /** Counts the task's active accounts and tells the brake when the count changed. */
  async function census(): Promise<void> {
    if (!censusDirty && censusSent !== null) return;
    let active = 0;
    for await (const [, a] of accounts.range()) if (a.status === 'issued' && a.account.active) active++;
    censusDirty = false;
    if (active === censusSent) return;
    censusSent = active;
    const value: AccountCensus = { type: 'census', partition: ctx.partition, active, at: new Date(ctx.currentWallClockTime()).toISOString() };
    ctx.forward(record(BRAKE_KEY, value, ctx.currentWallClockTime()), ACCOUNT_OUTPUTS.brake);
  }

  /** Proposes the block to the brake (the raw decision carries the account it would block). */
  function propose(u: PersonUpdate, raw: AccountDecision, causeKey: string, now: string): void {
    if (raw.kind !== 'block') return;
    const p: BlockProposal = {
      type: 'proposal', causeKey, employeeId: u.employeeId, accountId: raw.account.id, userName: raw.account.userName, cause: u.cause, dfoResponses: u.dfoResponses, at: now,
    };
    ctx.forward(record(BRAKE_KEY, p, ctx.currentWallClockTime()), ACCOUNT_OUTPUTS.brake);
  }

  return {
    init(c) {
      ctx = c;
      accounts = c.getStateStore('accounts');
      marks = c.getStateStore('brake-marks');
      c.schedule(deps.punctuateIntervalMs, census);
    },
    async process(r) {
      const u = r.value;
      const nowMs = ctx.currentWallClockTime();
      const today = osloDate(new Date(nowMs));
      const now = new Date(nowMs).toISOString();
      const state = (await accounts.get(u.employeeId)) ?? { status: 'none' };
      const input = { employee: u.employee, affiliations: u.affiliations, today, now, policy: deps.policy, emailDomain: deps.emailDomain };
      const raw = u.grant
        ? onUsernameGranted(state, input, { userName: u.grant.userName, accountId: randomUUID() })
        : decideAccount(state, input);
      const mark = await marks.get(u.employeeId);
      const causeKey = causeKeyOf(u.cause);
      const gate = gateBlock({ decision: raw, mark, verdict: u.brake, fingerprint: blockFingerprint(input), causeKey, now });
      if (gate.mark === undefined) { if (mark !== undefined) marks.delete(u.employeeId); }
      else if (JSON.stringify(gate.mark) !== JSON.stringify(mark)) marks.put(u.employeeId, gate.mark);
      const decision = gate.decision;
      const next = evolve(state, decision);
      if (JSON.stringify(next) !== JSON.stringify(state)) {
        accounts.put(u.employeeId, next);
        censusDirty = true;
      }
      emit(u, decision, now, brakeLink(raw, gate, u, causeKey));
      if (gate.propose) propose(u, raw, causeKey, now);
    },
  };
}

/** What the audit record says about the brake: only for block decisions and verdicts. */
function brakeLink(raw: AccountDecision, gate: GateResult, u: PersonUpdate, causeKey: string): AuditBrakeLink | undefined {
  if (raw.kind !== 'block') return undefined;
  const group = u.brake?.group ?? (gate.mark?.status === 'proposed' ? gate.mark.group : gate.mark?.group);
  const status = u.brake?.verdict ?? (gate.propose ? 'proposed' : gate.mark?.status === 'discarded' ? 'discarded' : 'awaiting');
  return { status, causeKey, ...(group ? { group } : {}) };
}
