/**
 * Authentication middleware: `Authorization: Bearer <token>` or the API-key headers the IntArk
 * gateway uses (`X-Gravitee-Api-Key`, `X-API-Key`). Missing or unknown credentials give 401 with
 * `WWW-Authenticate: Bearer realm="iga-stream"`. With no clients configured every request is
 * refused (the service never runs open). The client name lands in `ctx.state.client`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { ScimError } from '../errors.ts';
import type { ApiClient } from '../../common/tokenRegistry.ts';

/** What the middleware needs: a TokenRegistry satisfies it. */
export interface Authenticator {
  authenticate(token: string): string | undefined;
  readonly size: number;
}

/** Adapts a function returning the current clients (read on every request) to an Authenticator. */
export function clientListAuthenticator(tokens: () => ApiClient[]): Authenticator {
  const digest = (t: string) => createHash('sha256').update(t, 'utf8').digest();
  return {
    get size() {
      return tokens().length;
    },
    authenticate(token) {
      const d = digest(token);
      let match: string | undefined;
      for (const c of tokens()) if (timingSafeEqual(d, digest(c.token)) && match === undefined) match = c.name;
      return match;
    },
  };
}

export const WWW_AUTHENTICATE = 'Bearer realm="iga-stream"';

function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  // A bearer token wins; otherwise an API key (a gateway may send its own non-bearer Authorization).
  const authz = headers.authorization;
  const bearer = typeof authz === 'string' ? /^Bearer[ \t]+(\S+)\s*$/i.exec(authz)?.[1] : undefined;
  if (bearer) return bearer;
  const key = headers['x-gravitee-api-key'] ?? headers['x-api-key'];
  return typeof key === 'string' && key ? key.trim() : undefined;
}

export function authMiddleware(auth: Authenticator): Middleware {
  const unauthorized = (detail: string) =>
    new ScimError(401, detail, { headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } });
  return async (ctx, next) => {
    if (auth.size === 0) throw unauthorized('No SCIM clients are configured');
    const token = presentedToken(ctx.req.headers);
    if (!token) throw unauthorized('Authentication required: send Authorization: Bearer <token> or an API key header');
    const client = auth.authenticate(token);
    if (!client) throw unauthorized('Invalid credentials');
    ctx.state.client = client;
    await next();
  };
}
