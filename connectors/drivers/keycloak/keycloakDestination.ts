/**
 * The Keycloak destination: one user per account in the realm, found by its `igaAccountId`
 * attribute (or, for a user made before the driver, by username), written idempotently by
 * `igaAccountVersion` — a user that holds this version or a newer one is left alone, so a replay
 * writes nothing and an older change never lands over a newer one. A blocked account's user is
 * kept, disabled and without affiliations; reactivation enables the same user.
 *
 * Keycloak drops attributes its user profile does not declare and still answers 204, so the
 * profile is checked before the first write, and every write is read back: a value Keycloak did not
 * keep is an error, never a silent success. Configuration problems (the profile, the client's
 * secret or roles, the realm) are logged once, at error level, until they are fixed.
 */
import type { Logger } from '../../../src/common/log.ts';
import { gauge } from '../../../src/common/metrics.ts';
import { DestinationRefused, DestinationUnavailable, type AccountChange, type ApplyOptions, type ApplyOutcome, type Destination, type DestinationEntry } from '../destination.ts';
import type { KeycloakAdminApi } from './adminApi.ts';
import { KeycloakConfigurationError } from './errors.ts';
import type { HttpAnswer } from './http.ts';
import {
  accountIdOf, ATTRIBUTES, createRepresentation, describeDifferences, desiredUser, differences, heldVersion, keycloakErrorText, MANAGED_ATTRIBUTES,
  toDestinationEntry, updateRepresentation, versionVerdict, type DesiredUser, type KeycloakUser,
} from './userRepresentation.ts';

const configurationProblem = gauge('iga_keycloak_configuration_problem', 'Whether the Keycloak driver is stopped by a configuration problem (realm, client secret or roles, user profile): 1 yes, 0 no');

/** Statuses of a write that mean Keycloak refused this user's data. */
const REFUSALS = new Set([400, 409, 413, 422]);

export interface KeycloakDestinationOptions {
  realm: string;
  /** Users per page when listing. */
  pageSize: number;
  log: Logger;
}

export class KeycloakDestination implements Destination {
  readonly name = 'keycloak';
  private readonly api: KeycloakAdminApi;
  private readonly options: KeycloakDestinationOptions;
  private readonly log: Logger;
  /** The user profile was seen to declare every managed attribute (checked again after a write Keycloak did not keep). */
  private profileChecked = false;
  /** The configuration problem last logged, so each is logged once. */
  private loggedProblem: string | null = null;

  constructor(api: KeycloakAdminApi, options: KeycloakDestinationOptions) {
    this.api = api;
    this.options = options;
    this.log = options.log;
    configurationProblem.set(0);
  }

  async apply(change: AccountChange, options: ApplyOptions = {}): Promise<ApplyOutcome> {
    return this.observed(async () => {
      await this.checkProfile();
      return this.write(change, desiredUser(change), options.rewrite ?? false, false);
    });
  }

  async read(accountId: string): Promise<DestinationEntry | null> {
    return this.observed(async () => {
      const users = await this.api.findByAttribute(ATTRIBUTES.accountId, accountId, `find account ${accountId}`);
      // Two users with one account id cannot come from the driver; the drift check shows the newest.
      const newest = users.sort((a, b) => (heldVersion(b) ?? 0) - (heldVersion(a) ?? 0))[0];
      return newest ? toDestinationEntry(newest) : null;
    });
  }

  /** Every user that carries an account id, page by page (a user created or deleted meanwhile may be missed or shown once more; each id is yielded once). */
  async *list(): AsyncIterable<DestinationEntry> {
    const seen = new Set<string>();
    for (let first = 0; ; first += this.options.pageSize) {
      const page = await this.observed(() => this.api.listUsers(first, this.options.pageSize));
      for (const user of page) {
        if (accountIdOf(user) === null || seen.has(user.id!)) continue;
        seen.add(user.id!);
        yield toDestinationEntry(user);
      }
      if (page.length < this.options.pageSize) return;
    }
  }

  async close(): Promise<void> {
    this.api.close();
  }

  /**
   * Finds the account's user and writes the change when it is newer. `again` is set on the one
   * retry after the user changed under the write (deleted before a PUT, created before a POST).
   */
  private async write(change: AccountChange, desired: DesiredUser, rewrite: boolean, again: boolean): Promise<ApplyOutcome> {
    const { account } = change;
    const user = await this.find(change, desired);
    if (user) {
      const held = heldVersion(user);
      if (versionVerdict(held, account.version, rewrite) === 'unchanged') return 'unchanged';
      const body = updateRepresentation(user, desired);
      const answer = await this.api.call('PUT', `/users/${encodeURIComponent(user.id!)}`, `update user ${desired.username}`, body);
      if (answer.status === 404 && !again) return this.write(change, desired, rewrite, true);
      this.judgeWrite(answer, change, body);
      await this.verify(user.id!, desired, held);
      return 'applied';
    }
    const body = createRepresentation(desired);
    const answer = await this.api.call('POST', '/users', `create user ${desired.username}`, body);
    // 409: a user with this username or e-mail exists. When it is this account's (made meanwhile, or
    // our own create whose answer was lost), the retry finds it and updates it; otherwise it is refused.
    if (answer.status === 409 && !again && (await this.find(change, desired))) return this.write(change, desired, rewrite, true);
    this.judgeWrite(answer, change, body);
    const id = answer.header('location')?.split('/').pop();
    if (!id) throw new DestinationUnavailable(`Keycloak created user ${desired.username} but did not say where (no Location header)`);
    await this.verify(id, desired, null);
    return 'applied';
  }

  /** The account's user: by account id, else a user with its username that carries no other account id. */
  private async find(change: AccountChange, desired: DesiredUser): Promise<KeycloakUser | null> {
    const { account } = change;
    const byId = await this.api.findByAttribute(ATTRIBUTES.accountId, account.id, `find account ${account.id}`);
    if (byId.length > 1) {
      throw new DestinationRefused(`${byId.length} Keycloak users carry account id ${account.id} (${byId.map((u) => `${u.username} ${u.id}`).join(', ')}); delete all but one`);
    }
    if (byId[0]) return byId[0];
    const byName = await this.api.findByUsername(desired.username, `find user ${desired.username}`);
    if (!byName) return null;
    const owner = accountIdOf(byName);
    if (owner !== null && owner !== account.id) {
      throw new DestinationRefused(`Keycloak user ${desired.username} (${byName.id}) belongs to account ${owner}, not ${account.id}; it is left alone`);
    }
    // A user made before the driver (by hand, or an import): taken over, keeping its id and credentials.
    if (owner === null) this.log.info({ accountId: account.id, keycloakId: byName.id, userName: desired.username }, 'taking over a Keycloak user without an account id, found by username');
    return byName;
  }

  /** A write's answer: 2xx passes; a refusal of this user's data is DestinationRefused with Keycloak's words. */
  private judgeWrite(answer: HttpAnswer, change: AccountChange, sent: KeycloakUser): void {
    if (answer.status >= 200 && answer.status <= 299) return;
    const { account } = change;
    const detail = keycloakErrorText(answer.text, sent);
    if (REFUSALS.has(answer.status)) throw new DestinationRefused(`Keycloak refused account ${account.id} (${account.userName}) version ${account.version}: ${answer.status} ${detail}`);
    throw new DestinationUnavailable(`Keycloak answered ${answer.status} to the write of account ${account.id} (${account.userName}): ${detail}`);
  }

  /**
   * Reads the user back and compares. When Keycloak did not keep everything, the version it may
   * have kept is put back as it was (so a later try writes again instead of seeing `unchanged`), the
   * user profile is checked again (a configuration problem), and otherwise the change is refused.
   */
  private async verify(id: string, desired: DesiredUser, previousVersion: number | null): Promise<void> {
    const stored = await this.api.getUser(id, `read back user ${desired.username}`);
    if (!stored) throw new DestinationUnavailable(`Keycloak user ${desired.username} (${id}) was gone right after the write`);
    const found = differences(desired, stored);
    if (found.length === 0) return;
    const kept = heldVersion(stored);
    if (kept !== null && kept !== previousVersion) {
      const attributes = { ...stored.attributes, [ATTRIBUTES.accountVersion]: previousVersion === null ? [] : [String(previousVersion)] };
      const undo = await this.api.call('PUT', `/users/${encodeURIComponent(id)}`, `undo the version of user ${desired.username}`, { ...stored, attributes });
      if (undo.status < 200 || undo.status > 299) this.log.warn({ keycloakId: id, status: undo.status }, 'could not put the version back after an incomplete write');
    }
    this.profileChecked = false;
    await this.checkProfile();
    throw new DestinationRefused(`Keycloak did not keep what was written for ${desired.username} (${id}): ${describeDifferences(found)}`);
  }

  /** Throws a KeycloakConfigurationError while the realm's user profile lacks a managed attribute, or keeps one from administrators. */
  private async checkProfile(): Promise<void> {
    if (this.profileChecked) return;
    const declared = await this.api.profileAttributes();
    const missing = MANAGED_ATTRIBUTES.filter((a) => !declared.has(a));
    if (missing.length > 0) {
      throw new KeycloakConfigurationError(`the user profile of realm '${this.options.realm}' does not declare ${missing.join(', ')}; Keycloak silently drops such attributes, so nothing is written until they are declared (Realm settings → User profile; scripts/keycloak/provision.ts shows the declarations)`);
    }
    const readOnly = MANAGED_ATTRIBUTES.filter((a) => !declared.get(a)!.adminEditable);
    if (readOnly.length > 0) {
      throw new KeycloakConfigurationError(`the user profile of realm '${this.options.realm}' does not let administrators edit ${readOnly.join(', ')}; add 'admin' to their edit permissions`);
    }
    this.profileChecked = true;
  }

  /** Runs one operation; logs a configuration problem once (and its end), and keeps the gauge. */
  private async observed<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      if (this.loggedProblem !== null) {
        this.log.info({ destination: this.name }, `Keycloak configuration problem resolved: ${this.loggedProblem}`);
        this.loggedProblem = null;
        configurationProblem.set(0);
      }
      return result;
    } catch (err) {
      if (err instanceof KeycloakConfigurationError && err.message !== this.loggedProblem) {
        this.log.error({ destination: this.name, err: err.message }, err.message);
        this.loggedProblem = err.message;
        configurationProblem.set(1);
      }
      throw err;
    }
  }
}
