/**
 * The part of Keycloak's Admin REST API the driver uses, under /admin/realms/{realm}, as the
 * driver client's service account. Every call carries the cached token; a 401 renews it and tries
 * once more, and a 401/403 after that is a KeycloakConfigurationError (the client's secret or its
 * roles are wrong). No answer, 408/425/429 and 5xx are DestinationUnavailable, and count as a
 * Keycloak outage in dependency health (one line when it goes down, one when it is back). Any
 * other answer is returned for the caller to judge: only it knows whether a 400 names a user's data.
 */
import { z } from 'zod';
import { dependency } from '../../../src/common/dependencyHealth.ts';
import type { Logger } from '../../../src/common/log.ts';
import { counter, histogram } from '../../../src/common/metrics.ts';
import { DestinationUnavailable } from '../destination.ts';
import { asUnavailable, KeycloakConfigurationError, unavailableStatus } from './errors.ts';
import type { HttpAnswer, HttpTransport } from './http.ts';
import type { ClientCredentialsTokens } from './tokens.ts';
import { keycloakErrorText, type KeycloakUser } from './userRepresentation.ts';

const keycloakHealth = dependency('keycloak');
const requests = counter('iga_keycloak_requests_total', 'Keycloak Admin REST requests of the Keycloak driver, by answer (2xx, 4xx, 5xx, or none: no answer)', ['answer']);
const latency = histogram('iga_keycloak_request_seconds', 'Time of one Keycloak Admin REST request of the Keycloak driver, answered or not', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

const UserSchema = z.object({
  id: z.string().min(1),
  username: z.string().optional(),
  email: z.string().optional(),
  emailVerified: z.boolean().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  enabled: z.boolean().optional(),
  attributes: z.record(z.string(), z.array(z.string())).optional(),
}).loose();
const UsersSchema = z.array(UserSchema);
const ProfileSchema = z.object({
  attributes: z.array(z.object({ name: z.string(), permissions: z.object({ edit: z.array(z.string()).optional() }).loose().optional() }).loose()),
}).loose();

export interface AdminApiOptions {
  /** Keycloak's base URL, without a trailing slash. */
  url: string;
  realm: string;
  clientId: string;
  log: Logger;
}

export class KeycloakAdminApi {
  private readonly http: HttpTransport;
  private readonly tokens: ClientCredentialsTokens;
  private readonly options: AdminApiOptions;
  private readonly base: string;

  constructor(http: HttpTransport, tokens: ClientCredentialsTokens, options: AdminApiOptions) {
    this.http = http;
    this.tokens = tokens;
    this.options = options;
    this.base = `${options.url}/admin/realms/${encodeURIComponent(options.realm)}`;
  }

  /**
   * One call; returns any answer that is neither an outage nor an authorisation failure. `what`
   * names the operation in messages ("finding account 1234…").
   */
  async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, what: string, body?: unknown): Promise<HttpAnswer> {
    let { answer, token } = await this.attempt(method, path, what, body);
    if (answer.status === 401 || answer.status === 403) {
      // A token can be revoked, or the client's roles changed since it was issued: one new token, one more try.
      this.tokens.invalidate(token);
      ({ answer } = await this.attempt(method, path, what, body));
      if (answer.status === 401) {
        throw new KeycloakConfigurationError(`Keycloak refuses the driver client '${this.options.clientId}' a fresh token's access to realm '${this.options.realm}' (401 on ${what}). Check the client and its secret.`);
      }
      if (answer.status === 403) {
        throw new KeycloakConfigurationError(`the service account of client '${this.options.clientId}' may not ${what} in realm '${this.options.realm}' (403). Give it realm-management's manage-users and view-users roles (Clients → ${this.options.clientId} → Service accounts roles).`);
      }
    }
    if (answer.status === 404 && /realm not found/i.test(answer.text)) {
      throw new KeycloakConfigurationError(`realm '${this.options.realm}' does not exist at ${this.options.url} (IGA_KEYCLOAK_REALM)`);
    }
    return answer;
  }

  /** The users whose `attribute` is exactly `value` (Keycloak's `q` search is exact by default). */
  async findByAttribute(attribute: string, value: string, what: string): Promise<KeycloakUser[]> {
    const query = new URLSearchParams({ q: `${attribute}:${value}`, exact: 'true', briefRepresentation: 'false', max: '10' });
    const users = await this.json(await this.call('GET', `/users?${query}`, what), UsersSchema, what);
    // The search is the server's business; the match is checked here.
    return users.filter((u) => u.attributes?.[attribute]?.includes(value));
  }

  /** The user with exactly this username (Keycloak stores usernames in lower case), or null. */
  async findByUsername(username: string, what: string): Promise<KeycloakUser | null> {
    const query = new URLSearchParams({ username, exact: 'true', briefRepresentation: 'false' });
    const users = await this.json(await this.call('GET', `/users?${query}`, what), UsersSchema, what);
    return users.find((u) => u.username?.toLowerCase() === username.toLowerCase()) ?? null;
  }

  /** The user by Keycloak id, or null when there is none. */
  async getUser(id: string, what: string): Promise<KeycloakUser | null> {
    const answer = await this.call('GET', `/users/${encodeURIComponent(id)}`, what);
    if (answer.status === 404) return null;
    return this.json(answer, UserSchema, what);
  }

  /** A page of the realm's users (service accounts are not listed), with their attributes. */
  async listUsers(first: number, max: number): Promise<KeycloakUser[]> {
    const query = new URLSearchParams({ first: String(first), max: String(max), briefRepresentation: 'false' });
    return this.json(await this.call('GET', `/users?${query}`, 'list the users'), UsersSchema, 'list the users');
  }

  /** The attributes the realm's user profile declares, each with whether an administrator (the driver) may write it. */
  async profileAttributes(): Promise<Map<string, { adminEditable: boolean }>> {
    const what = 'read the user profile';
    const profile = await this.json(await this.call('GET', '/users/profile', what), ProfileSchema, what);
    // No permissions given: only administrators may edit (Keycloak's default).
    return new Map(profile.attributes.map((a) => [a.name, { adminEditable: a.permissions?.edit === undefined || a.permissions.edit.includes('admin') }]));
  }

  close(): void {
    this.http.close();
  }

  private async attempt(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, what: string, body: unknown): Promise<{ answer: HttpAnswer; token: string }> {
    const log = this.options.log;
    let token: string;
    try {
      token = await this.tokens.token();
    } catch (err) {
      throw this.outage(asUnavailable(err, 'token request'));
    }
    const stop = latency.startTimer();
    let answer: HttpAnswer;
    try {
      answer = await this.http.request({
        method,
        url: `${this.base}${path}`,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      requests.inc({ answer: 'none' });
      throw this.outage(asUnavailable(err, `could not ${what}`));
    } finally {
      stop();
    }
    requests.inc({ answer: `${Math.floor(answer.status / 100)}xx` });
    const unavailable = unavailableStatus(answer.status);
    if (unavailable) {
      const retryAfter = answer.header('retry-after');
      throw this.outage(new DestinationUnavailable(`Keycloak could not ${what}: ${answer.status} ${keycloakErrorText(answer.text)} (${unavailable}${retryAfter ? `; Retry-After ${retryAfter}` : ''})`));
    }
    keycloakHealth.success(log);
    return { answer, token };
  }

  /** Reports a Keycloak outage to dependency health (not a configuration problem: Keycloak answered that). */
  private outage(err: unknown): unknown {
    if (err instanceof DestinationUnavailable && !(err instanceof KeycloakConfigurationError)) keycloakHealth.failure(err, this.options.log);
    return err;
  }

  private json<T>(answer: HttpAnswer, schema: z.ZodType<T>, what: string): T {
    if (answer.status < 200 || answer.status > 299) throw new DestinationUnavailable(`Keycloak could not ${what}: ${answer.status} ${keycloakErrorText(answer.text)}`);
    try {
      return schema.parse(JSON.parse(answer.text));
    } catch (err) {
      throw new DestinationUnavailable(`Keycloak answered ${what} with something the driver cannot read: ${answer.text.slice(0, 200)}`, { cause: err });
    }
  }
}
