/**
 * The driver's access token: the client-credentials grant of its confidential client, cached and
 * renewed before it expires (a tenth of its lifetime early, at least 5 s and at most 60 s), one
 * token request at a time however many callers wait. `invalidate()` forgets it (after a 401).
 * Answers of the token endpoint become errors that say whose fault they are: Keycloak down
 * (unavailable) or the client's configuration (a configuration problem an operator must fix).
 */
import { z } from 'zod';
import { DestinationUnavailable } from '../destination.ts';
import { KeycloakConfigurationError, unavailableStatus } from './errors.ts';
import type { HttpTransport } from './http.ts';
import { keycloakErrorText } from './userRepresentation.ts';

const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

export interface TokenSourceOptions {
  /** `{url}/realms/{realm}/protocol/openid-connect/token` */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  now?: () => number;
}

/** How long before expiry a token is renewed: a tenth of its lifetime, between 5 s and 60 s. */
export function renewMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, Math.max(5_000, Math.floor(lifetimeMs / 10)));
}

export class ClientCredentialsTokens {
  private readonly http: HttpTransport;
  private readonly options: TokenSourceOptions;
  private readonly now: () => number;
  private cached: { token: string; renewAt: number } | null = null;
  private pending: Promise<string> | null = null;
  /** Token requests made (each renewal is one). */
  requests = 0;

  constructor(http: HttpTransport, options: TokenSourceOptions) {
    this.http = http;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** A valid access token: the cached one, or a new one when it is due for renewal. */
  async token(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => { this.pending = null; });
    return this.pending;
  }

  /** Forgets the cached token (Keycloak said 401 to it): the next call asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async fetchToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret } = this.options;
    this.requests++;
    const answer = await this.http.request({
      method: 'POST',
      url: tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const unavailable = unavailableStatus(answer.status);
    if (unavailable) throw new DestinationUnavailable(`Keycloak's token endpoint answered ${answer.status} (${keycloakErrorText(answer.text)}): ${unavailable}`);
    if (answer.status !== 200) {
      throw new KeycloakConfigurationError(`the driver client '${clientId}' cannot get a token from ${tokenUrl}: ${answer.status} ${keycloakErrorText(answer.text)}. ${tokenAdvice(answer.status)}`);
    }
    let parsed: z.infer<typeof TokenAnswer>;
    try {
      parsed = TokenAnswer.parse(JSON.parse(answer.text));
    } catch (err) {
      throw new DestinationUnavailable(`Keycloak's token endpoint answered 200 without a usable token (${answer.text.slice(0, 120)})`, { cause: err });
    }
    const lifetimeMs = parsed.expires_in * 1000;
    this.cached = { token: parsed.access_token, renewAt: this.now() + lifetimeMs - renewMarginMs(lifetimeMs) };
    return parsed.access_token;
  }
}

function tokenAdvice(status: number): string {
  if (status === 404) return 'Check IGA_KEYCLOAK_URL (with /auth on Keycloak before 17) and IGA_KEYCLOAK_REALM.';
  if (status === 401) return 'Check IGA_KEYCLOAK_CLIENT_ID and the client secret (IGA_KEYCLOAK_CLIENT_SECRET or _FILE) against the client\'s Credentials tab.';
  return 'The client must be confidential with "Service accounts roles" (client credentials) enabled.';
}
