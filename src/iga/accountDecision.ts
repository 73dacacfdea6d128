/**
 * The account decider (Emmett style): `decideAccount`/`onUsernameGranted` look at a person's
 * account state and inputs and return one decision with its reason; `evolve` folds a decision
 * into the next state. No I/O and no clock: `today`/`now` arrive in the input. The account
 * processor calls decide, persists `evolve`'s result, and turns the decision into a username
 * claim, an accounts-topic record plus a notify event, or nothing.
 */
import { AFFILIATION_KINDS, type Account, type AffiliationKind } from './model.ts';
import type { PersonNames } from './sources.ts';
import type { AccountDecision, AccountState, DecisionInput, DecisionReason, DecisionRule, ScimAttribute } from './accountTypes.ts';
import { assessEligibility, type Eligibility } from './eligibility.ts';
import { IgaRuleError } from './errors.ts';
import { splitUserName } from './username.ts';
import { usernameNamespaces } from './usernameNamespaces.ts';

export type { AccountDecision, AccountState, DecisionInput, DecisionReason, DecisionRule, ScimAttribute } from './accountTypes.ts';

/**
 * Decides what to do about a person's account now.
 * - none: eligible → request-username (stem from the name, with its fallbacks), else none;
 * - pending: always none — the username grant decides (`onUsernameGranted`);
 * - issued: block / reactivate / modify when SCIM-visible attributes would change, else none.
 * @throws IgaRuleError('person-mismatch') when the employee is not the account's owner.
 */
export function decideAccount(state: AccountState, input: DecisionInput): AccountDecision {
  const elig = assessEligibility(input);
  switch (state.status) {
    case 'none': {
      if (!elig.should) return { kind: 'none', reason: reason('not-eligible', `${elig.why}; no account needed`, elig, input) };
      const names = namesFor(input);
      if (names === null) return { kind: 'none', reason: reason('not-eligible', `${elig.why}, but no source gives both names; no account yet`, elig, input) };
      const [{ stem }, ...fallbacks] = usernameNamespaces(names.givenName, names.familyName);
      const preferred = state.reservedUserName === undefined ? {} : { preferredUserName: state.reservedUserName };
      const detail = `${elig.why} and no account; claim a username (stem '${stem}')`;
      return { kind: 'request-username', stem, fallbacks, requestedAt: input.now, ...preferred, reason: reason('request-username', detail, elig, input) };
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
  const names = namesFor(input);
  if (names === null) {
    return { kind: 'none', reservedUserName: userName, reason: reason('grant-not-needed', `${elig.why}, but no source gives both names; ${userName} stays reserved for the person`, elig, input) };
  }
  const account: Account = {
    id: grant.accountId,
    personId: personIdOf(input),
    userName,
    active: true,
    ...namesOf(names),
    employeeNumber: input.employee && elig.active.length > 0 ? input.employee.id : null,
    ...sourceFields(input, elig),
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
const ATTRIBUTE_ORDER: ScimAttribute[] = [
  'active', 'displayName', 'name.givenName', 'name.familyName', 'name.formatted', 'no:edu:scim:user:employeeNumber',
  'no:edu:scim:user:studentNumber', 'no:edu:scim:user:eduPersonAffiliation',
];

/**
 * With sources: the kinds of affiliation that count (none while the account should be blocked) and
 * the student number. Without: nothing, so the accounts of persons only DFØ knows stay as they were.
 */
function sourceFields(input: DecisionInput, elig: Eligibility): Pick<Account, 'affiliationKinds' | 'studentNumber'> {
  if (!input.sources) return {};
  const kinds = new Set<AffiliationKind>();
  if (elig.should) {
    if (input.employee !== null && elig.active.length > 0) kinds.add('employee');
    for (const a of elig.sourceActive ?? []) kinds.add(a.kind);
  }
  const studentNumber = input.sources.studentNumber ?? null;
  return { affiliationKinds: AFFILIATION_KINDS.filter((k) => kinds.has(k)), ...(studentNumber === null ? {} : { studentNumber }) };
}

function decideIssued(current: Account, input: DecisionInput, elig: Eligibility): AccountDecision {
  const { employee } = input;
  if ((input.personId ?? employee?.id ?? current.personId) !== current.personId) {
    throw new IgaRuleError('person-mismatch', `account ${current.id} belongs to ${current.personId}, not ${input.personId ?? `employee ${employee!.id}`}`);
  }
  const names = namesFor(input);
  const desired = {
    active: elig.should,
    ...(names === null ? { givenName: current.givenName, familyName: current.familyName, displayName: current.displayName } : namesOf(names)),
    // DFØ's employee number while a DFØ affiliation is active (a person first known from a publisher: its DFØ side's).
    employeeNumber: elig.active.length > 0 ? (input.personId === undefined ? current.personId : employee?.id ?? null) : null,
    ...sourceFields(input, elig),
  };
  const changed = new Set<ScimAttribute>();
  if (desired.active !== current.active) changed.add('active');
  if (desired.displayName !== current.displayName) changed.add('displayName');
  // SCIM's name.formatted is given + family (src/scim/render.ts); a preferred name changes displayName alone.
  if (desired.givenName !== current.givenName) changed.add('name.givenName').add('name.formatted');
  if (desired.familyName !== current.familyName) changed.add('name.familyName').add('name.formatted');
  if (desired.employeeNumber !== current.employeeNumber) changed.add('no:edu:scim:user:employeeNumber');
  if (input.sources) {
    if (desired.studentNumber !== current.studentNumber) changed.add('no:edu:scim:user:studentNumber');
    if (JSON.stringify(desired.affiliationKinds) !== JSON.stringify(current.affiliationKinds)) changed.add('no:edu:scim:user:eduPersonAffiliation');
  }
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

/** The person's names: merged from the sources when there are any, else the employee's; null when no one gives them. */
function namesFor(input: DecisionInput): PersonNames | null {
  if (input.sources) return input.sources.names;
  return input.employee;
}

/** The account's owner: the person key (the employee id for DFØ persons). */
function personIdOf(input: DecisionInput): string {
  const id = input.personId ?? input.employee?.id;
  if (id === undefined) throw new IgaRuleError('person-mismatch', 'a decision about nobody: neither a person key nor an employee');
  return id;
}

/** The SCIM name attributes of a person; displayName = given + ' ' + family (BOTT), unless the sources give one (a preferred name). */
function namesOf(e: PersonNames): Pick<Account, 'givenName' | 'familyName' | 'displayName'> {
  const givenName = e.givenName.trim();
  const familyName = e.familyName.trim();
  return { givenName, familyName, displayName: e.displayName ?? [givenName, familyName].filter(Boolean).join(' ') };
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
  return { rule, detail, activeAffiliations: elig.active, ...(elig.sourceActive ? { activeSourceAffiliations: elig.sourceActive } : {}), policyVersion: input.policy.version, today: input.today, now: input.now };
}
