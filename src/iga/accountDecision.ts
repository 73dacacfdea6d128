/**
 * The account decider (Emmett style): `decideAccount`/`onUsernameGranted` look at a person's
 * account state and inputs and return one decision with its reason; `evolve` folds a decision
 * into the next state. No I/O and no clock: `today`/`now` arrive in the input. The account
 * processor calls decide, persists `evolve`'s result, and turns the decision into a username
 * claim, an accounts-topic record plus a notify event, or nothing.
 */
import type { Account, Employee } from './model.ts';
import type { AccountDecision, AccountState, DecisionInput, DecisionReason, DecisionRule, ScimAttribute } from './accountTypes.ts';
import { assessEligibility, type Eligibility } from './eligibility.ts';
import { IgaRuleError } from './errors.ts';
import { splitUserName, usernameStem } from './username.ts';

export type { AccountDecision, AccountState, DecisionInput, DecisionReason, DecisionRule, ScimAttribute } from './accountTypes.ts';

/**
 * Decides what to do about a person's account now.
 * - none: eligible → request-username (stem from the name), else none;
 * - pending: always none — the username grant decides (`onUsernameGranted`);
 * - issued: block / reactivate / modify when SCIM-visible attributes would change, else none.
 * @throws IgaRuleError('person-mismatch') when the employee is not the account's owner.
 */
export function decideAccount(state: AccountState, input: DecisionInput): AccountDecision {
  const elig = assessEligibility(input);
  switch (state.status) {
    case 'none': {
      if (!elig.should) return { kind: 'none', reason: reason('not-eligible', `${elig.why}; no account needed`, elig, input) };
      const employee = input.employee as Employee;
      const stem = usernameStem(employee.givenName, employee.familyName);
      const preferred = state.reservedUserName === undefined ? {} : { preferredUserName: state.reservedUserName };
      const detail = `${elig.why} and no account; claim a username (stem '${stem}')`;
      return { kind: 'request-username', stem, requestedAt: input.now, ...preferred, reason: reason('request-username', detail, elig, input) };
    }
    case 'pending': {
      const rule = elig.should ? 'awaiting-username' : 'awaiting-username-not-eligible';
      return { kind: 'none', reason: reason(rule, `${elig.why}; username claim for '${state.stem}' in flight since ${state.since}`, elig, input) };
    }
    case 'issued':
      return decideIssued(state.account, input, elig);
  }
}

/**
 * Handles the name owner's grant of `grant.userName` to this person: create the account with
 * `grant.accountId` if the person (still) should have one; otherwise 'none' with the name in
 * `reservedUserName` (names are never reused; it stays the person's). A grant for a person who
 * already has an account changes nothing (redelivery or a late duplicate claim).
 * @throws IgaRuleError('invalid-grant') for a malformed userName, another domain, or a non-UUID id.
 */
export function onUsernameGranted(state: AccountState, input: DecisionInput, grant: { userName: string; accountId: string }): AccountDecision {
  const userName = validGrantedName(grant, input.emailDomain);
  const elig = assessEligibility(input);
  if (state.status === 'issued') {
    const duplicate = state.account.userName === userName;
    const detail = `account ${state.account.id} (${state.account.userName}) already issued; grant of ${userName} ${duplicate ? 'is a duplicate' : 'stays reserved'}`;
    return { kind: 'none', reason: reason('grant-already-issued', detail, elig, input), ...(duplicate ? {} : { reservedUserName: userName }) };
  }
  if (!elig.should) {
    return { kind: 'none', reservedUserName: userName, reason: reason('grant-not-needed', `${elig.why}; ${userName} stays reserved for the person`, elig, input) };
  }
  const employee = input.employee as Employee;
  const account: Account = {
    id: grant.accountId,
    personId: employee.id,
    userName,
    active: true,
    ...namesOf(employee),
    employeeNumber: employee.id,
    created: input.now,
    lastModified: input.now,
    version: 1,
  };
  return { kind: 'create', account, reason: reason('create-granted', `${elig.why}; create ${userName}`, elig, input) };
}

/** Folds a decision into the next state. Pure; returns `state` itself when nothing changes. */
export function evolve(state: AccountState, decision: AccountDecision): AccountState {
  switch (decision.kind) {
    case 'none':
      if (decision.reservedUserName === undefined || state.status === 'issued') return state;
      return { status: 'none', reservedUserName: decision.reservedUserName };
    case 'request-username': {
      const preferred = decision.preferredUserName === undefined ? {} : { preferredUserName: decision.preferredUserName };
      return { status: 'pending', stem: decision.stem, since: decision.requestedAt, ...preferred };
    }
    case 'create':
    case 'block':
    case 'reactivate':
    case 'modify':
      return { status: 'issued', account: decision.account };
  }
}

/** SCIM attributes in the order `changed` lists them. */
const ATTRIBUTE_ORDER: ScimAttribute[] = ['active', 'displayName', 'name.givenName', 'name.familyName', 'name.formatted', 'no:edu:scim:user:employeeNumber'];

function decideIssued(current: Account, input: DecisionInput, elig: Eligibility): AccountDecision {
  const { employee } = input;
  if (employee !== null && employee.id !== current.personId) {
    throw new IgaRuleError('person-mismatch', `account ${current.id} belongs to ${current.personId}, not employee ${employee.id}`);
  }
  const desired = {
    active: elig.should,
    ...(employee === null ? { givenName: current.givenName, familyName: current.familyName, displayName: current.displayName } : namesOf(employee)),
    employeeNumber: elig.active.length > 0 ? current.personId : null,
  };
  const changed = new Set<ScimAttribute>();
  if (desired.active !== current.active) changed.add('active');
  if (desired.displayName !== current.displayName) changed.add('displayName').add('name.formatted');
  if (desired.givenName !== current.givenName) changed.add('name.givenName');
  if (desired.familyName !== current.familyName) changed.add('name.familyName');
  if (desired.employeeNumber !== current.employeeNumber) changed.add('no:edu:scim:user:employeeNumber');
  if (changed.size === 0) {
    return { kind: 'none', reason: reason('up-to-date', `${elig.why}; account ${current.id} is up to date`, elig, input) };
  }
  const ordered = ATTRIBUTE_ORDER.filter((a) => changed.has(a));
  const account: Account = { ...current, ...desired, lastModified: input.now, version: current.version + 1 };
  const what = `account ${current.id}: ${ordered.join(', ')}`;
  if (changed.has('active')) {
    const [kind, rule]: ['block' | 'reactivate', DecisionRule] = desired.active ? ['reactivate', 'reactivate-eligible'] : ['block', 'block-not-eligible'];
    return { kind, account, previous: current, changed: ordered, reason: reason(rule, `${elig.why}; ${kind} ${what}`, elig, input) };
  }
  return { kind: 'modify', account, previous: current, changed: ordered, reason: reason('modify-attributes', `${elig.why}; modify ${what}`, elig, input) };
}

/** The SCIM name attributes of an employee; displayName = given + ' ' + family (BOTT). */
function namesOf(e: Employee): Pick<Account, 'givenName' | 'familyName' | 'displayName'> {
  const givenName = e.givenName.trim();
  const familyName = e.familyName.trim();
  return { givenName, familyName, displayName: [givenName, familyName].filter(Boolean).join(' ') };
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function validGrantedName(grant: { userName: string; accountId: string }, emailDomain: string): string {
  const parts = splitUserName(grant.userName);
  if (parts === null || parts.domain !== emailDomain.toLowerCase()) {
    throw new IgaRuleError('invalid-grant', `granted userName ${JSON.stringify(grant.userName)} is not local@${emailDomain}`);
  }
  if (!UUID.test(grant.accountId)) throw new IgaRuleError('invalid-grant', `account id is not a UUID: ${JSON.stringify(grant.accountId)}`);
  return grant.userName;
}

function reason(rule: DecisionRule, detail: string, elig: Eligibility, input: DecisionInput): DecisionReason {
  return { rule, detail, activeAffiliations: elig.active, policyVersion: input.policy.version, today: input.today, now: input.now };
}
