/**
 * Bearer-token auth of the admin API (`/admin/*`). Admin clients are configured apart from SCIM
 * clients (IGA_ADMIN_TOKENS, IGA_ADMIN_TOKENS_FILE): a SCIM token never opens the admin API. With
 * no admin client configured every `/admin` request is refused, so the API never runs open.
 */
import type { Middleware } from 'koa';
import type { TokenRegistry } from '../../common/tokenRegistry.ts';
import { AdminError } from '../../features/adminApi/index.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="iga-stream-admin"' };

export function adminAuth(tokens: Pick<TokenRegistry, 'authenticate' | 'size'>): Middleware {
  return async (ctx, next) => {
    if (tokens.size === 0) throw new AdminError(401, 'No admin clients are configured (set IGA_ADMIN_TOKENS or IGA_ADMIN_TOKENS_FILE)', { headers: CHALLENGE });
    const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1];
    if (!bearer) throw new AdminError(401, 'Authentication required: send Authorization: Bearer <admin token>', { headers: CHALLENGE });
    const client = tokens.authenticate(bearer);
    if (!client) throw new AdminError(401, 'Invalid admin token', { headers: CHALLENGE });
    ctx.state.client = client;
    await next();
  };
}
