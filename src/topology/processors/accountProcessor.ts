/**
 * Sub-topology B, second step, keyed by employee id. Runs the account decider on every person
 * change: asks the username registry for a name, creates, blocks, reactivates or modifies the
 * account, and emits the account (compacted topic, key = account id), a notify event and an audit
 * record with the decision's inputs (not for a decision that only repeats what stands: `isAudited`
 * in contracts/audit.ts). Store: `accounts` (employee id → AccountState).
 * A block goes through the mass-change brake (src/iga/brake.ts): it is proposed to the brake topic
 * and applied only when the brake's verdict (approved, or released by an operator) comes back; the
 * rules run again then, so a person who became eligible meanwhile is not blocked. Store
 * `brake-marks` (employee id → BrakeMark). Every punctuation interval the task reports its count of
 * active accounts to the brake (census), for the share limit.
 * With publishers (README "One person across sources") the decision also looks at the publishers'
 * facts (their affiliations, the names merged by authority). A DFØ person with a nin that has not
 * registered with the person directory registers first (sink `directory-sink`): it claims no
 * username until the directory answers that the nin is its own, so a student hired later becomes the
 * student's DFØ side instead of a second account. An issued account's id and employee number are
 * recorded in the directory as links, for profiles that name their person by a link.
 */
import { randomUUID } from 'node:crypto';
import { decideAccount, evolve, onUsernameGranted } from '../../iga/accountDecision.ts';
import { blockFingerprint, causeKeyOf, gateBlock, type BrakeMark, type GateResult } from '../../iga/brake.ts';
import type { AccountDecision, AccountState } from '../../iga/accountTypes.ts';
import { osloDate } from '../../iga/clock.ts';
import type { KeyValueStore } from '../../runtime/api/index.ts';
import { record, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import { buildAuditRecord, isAudited } from '../contracts/audit.ts';
import type { PersonUpdate, UsernameClaim } from '../contracts/messages.ts';
import { changeCause, resourceUri, type NotifyRecord } from '../contracts/notify.ts';
import { BRAKE_KEY, type AccountCensus, type BlockProposal } from '../contracts/brake.ts';
import { STORE } from '../contracts/stores.ts';
import { accountDirectoryKey, employeeDirectoryKey, isProfilePerson, ninDirectoryKey, type DirectoryRecord } from '../contracts/directory.ts';
import { mergedNames, mergedStudentNumber, sourceAffiliations } from '../../iga/sources.ts';
import type { Account } from '../../iga/model.ts';
import type { AuditBrakeLink } from '../contracts/audit.ts';

export const ACCOUNT_OUTPUTS = {
  claims: 'username-claims-sink', accounts: 'accounts-sink', notify: 'notify-sink', audit: 'audit-sink', brake: 'brake-proposals-sink',
  /** Only with publishers: registrations and links for the person directory. */
  directory: 'directory-sink',
} as const;

export function accountProcessor(deps: IgaDeps): Processor<PersonUpdate> {
  let ctx: ProcessorContext;
  let accounts: KeyValueStore<AccountState>;
  let marks: KeyValueStore<BrakeMark>;
  /** Census: whether an account changed since the last count, and the count last sent. */
  let censusDirty = true;
  let censusSent: number | null = null;

  /** Forwards what the decision causes, then (when `audited`) exactly one audit record with its links. */
  function emit(u: PersonUpdate, d: AccountDecision, now: string, audited: boolean, brake?: AuditBrakeLink): void {
    const ts = ctx.currentWallClockTime();
    const account = 'account' in d ? d.account : null;
    let notify: NotifyRecord | undefined;
    if (d.kind === 'request-username') {
      const claim: UsernameClaim = { stem: d.stem, employeeId: u.employeeId, ...(d.preferredUserName ? { preferred: d.preferredUserName } : {}), cause: u.cause, fallbacks: d.fallbacks };
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
        account,
        cause: changeCause(u.cause),
      };
      ctx.forward(record(account.id, notify, ts), ACCOUNT_OUTPUTS.notify);
    }
    if (!audited) return;
    const audit = buildAuditRecord({
      employeeId: u.employeeId, decision: d, cause: u.cause, dfoResponses: u.dfoResponses, affiliations: u.affiliations, ...(brake ? { brake } : {}),
      ...(notify ? { notify: { eventId: notify.eventId, type: notify.type, ...(notify.attributes ? { attributes: notify.attributes } : {}) } } : {}),
    });
    ctx.forward(record(u.employeeId, audit, ts), ACCOUNT_OUTPUTS.audit);
  }

  /** Tells the person directory about `key`: its nin first (a registration), and an issued account's links. */
  function toDirectory(key: string, value: DirectoryRecord): void {
    ctx.forward(record(key, value, ctx.currentWallClockTime()), ACCOUNT_OUTPUTS.directory);
  }

  function registerLinks(personKey: string, account: Account): void {
    toDirectory(accountDirectoryKey(account.id), { type: 'link', person: personKey });
    if (account.employeeNumber !== null) toDirectory(employeeDirectoryKey(account.employeeNumber), { type: 'link', person: personKey });
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
      accounts = c.getStateStore(STORE.accounts);
      marks = c.getStateStore(STORE.brakeMarks);
      c.schedule(deps.punctuateIntervalMs, census);
    },
    async process(r) {
      const u = r.value;
      const nowMs = ctx.currentWallClockTime();
      const today = osloDate(new Date(nowMs));
      const now = new Date(nowMs).toISOString();
      const stored = await accounts.get(u.employeeId);
      const state: AccountState = stored ?? { status: 'none' };
      const pubs = deps.publishers;
      const hasSources = u.sources !== undefined && Object.keys(u.sources).length > 0;
      const input = {
        employee: u.employee, affiliations: u.affiliations, today, now, policy: deps.policy, emailDomain: deps.emailDomain,
        ...(isProfilePerson(u.employeeId) ? { personId: u.employeeId } : {}),
        ...(pubs && hasSources ? { sources: { affiliations: sourceAffiliations(u.sources!), names: mergedNames(pubs.authority, u.employee, u.sources!), sponsor: u.sponsor ?? null, studentNumber: mergedStudentNumber(pubs.authority, u.sources!) } } : {}),
      };
      let raw = u.grant
        ? onUsernameGranted(state, input, { userName: u.grant.userName, accountId: randomUUID() })
        : decideAccount(state, input);
      const nin = u.employee?.nin;
      const registration = pubs && deps.ninHashKey && nin && !isProfilePerson(u.employeeId) && u.directory === undefined ? ninDirectoryKey(deps.ninHashKey, nin) : null;
      if (registration) {
        toDirectory(registration, { type: 'dfo', employeeId: u.employeeId, hasAccount: state.status !== 'none', cause: u.cause });
        if (raw.kind === 'request-username') {
          const detail = `${raw.reason.detail}; first the person directory is asked whether the nin belongs to a person a publisher made`;
          raw = { kind: 'none', reason: { ...raw.reason, rule: 'awaiting-directory', detail } };
        }
      }
      const mark = await marks.get(u.employeeId);
      const causeKey = causeKeyOf(u.cause);
      const gate = gateBlock({ decision: raw, mark, verdict: u.brake, fingerprint: blockFingerprint(input), causeKey, now });
      const markChanged = gate.mark === undefined ? mark !== undefined : JSON.stringify(gate.mark) !== JSON.stringify(mark);
      if (markChanged) { if (gate.mark === undefined) marks.delete(u.employeeId); else marks.put(u.employeeId, gate.mark); }
      const decision = gate.decision;
      const next = evolve(state, decision);
      const stateChanged = JSON.stringify(next) !== JSON.stringify(state);
      if (stateChanged) {
        accounts.put(u.employeeId, next);
        censusDirty = true;
      }
      const linked = pubs && next.status === 'issued' && (decision.kind !== 'none' || u.cause.kind === 'directory') ? next.account : null;
      const audited = isAudited({
        decision: decision.kind, stateChanged, markChanged, proposedBlock: gate.propose, brakeVerdict: u.brake !== undefined,
        sentToDirectory: registration !== null || linked !== null, firstForPerson: stored === undefined,
      });
      emit(u, decision, now, audited, brakeLink(raw, gate, u, causeKey));
      if (gate.propose) propose(u, raw, causeKey, now);
      if (linked) registerLinks(u.employeeId, linked);
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
