/**
 * The SCIM 2.0 service provider as a Koa app: metrics → error mapping → media type → routes.
 * Discovery and /openapi.json are public; everything else needs a configured client.
 * Called by `startScimServer` (server.ts) and by tests that want the app without a socket.
 */
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Registry } from 'prom-client';
import { componentLogger, type Logger } from '../common/log.ts';
import { discardUnreadBody } from '../common/unreadBody.ts';
import type { AccountIndex } from './accountIndex.ts';
import { authMiddleware, clientListAuthenticator, type Authenticator } from './auth/authenticate.ts';
import { RateLimiter, defaultRateLimit, type RateLimitOptions } from './auth/rateLimit.ts';
import type { ApiClient } from '../common/tokenRegistry.ts';
import { ScimError, echo, errorBody } from './errors.ts';
import { defaultParseLimits, type ParseLimits } from './filter/parser.ts';
import { sendJson } from './http.ts';
import { metricsMiddleware } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { refuseOtherMethods, unsupportedRoutes } from './routes/unsupported.ts';
import { userRoutes } from './routes/users.ts';

export interface ScimAppOptions {
  index: AccountIndex;
  /** Public base URL of the API (gateway path), used for meta.location. */
  resourceUriPrefix: string;
  /** A TokenRegistry, any Authenticator, or a function returning the current clients. */
  auth: Authenticator | { tokens: () => ApiClient[] };
  /** Per-client token bucket; `false` disables it. Default 100/s, burst 200. */
  rateLimit?: RateLimitOptions | false;
  /** Socket budget of one request (headers + body), ms. Default 10000. */
  requestTimeoutMs?: number;
  /** Budget of one query's scan, ms; past it the query answers 503. Default: requestTimeoutMs. */
  queryTimeoutMs?: number;
  /** filter.maxResults: the cap on count. Default 200. */
  maxResults?: number;
  /** Page size when count is not given. Default 100 (capped at maxResults). */
  defaultCount?: number;
  /** Filter length/nesting limits. Default 2048 characters, depth 16. */
  filterLimits?: ParseLimits;
  /** Largest accepted request body (POST .search), bytes. Default 65536. */
  maxBodyBytes?: number;
  /** While false, /Users answers 503 (e.g. the replica is still catching up). */
  ready?: () => boolean;
  /** Registry for the iga_scim_* metrics. Default: prom-client's default registry. */
  registry?: Registry;
  /** Default: componentLogger('scim'). */
  logger?: Logger;
}

const PUBLIC_PATHS = ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/:name', '/Schemas', '/Schemas/:uri', '/openapi.json'];

function isAuthenticator(a: ScimAppOptions['auth']): a is Authenticator {
  return typeof (a as Authenticator).authenticate === 'function';
}

/** Maps every thrown error to an RFC 7644 Error body; unexpected errors become a bare 500 (logged, never shown). */
const errorMiddleware = (log: Logger): Middleware => async (ctx, next) => {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) throw new ScimError(404, `No endpoint ${echo(ctx.path)}`);
  } catch (err) {
    const e = err as { status?: unknown; expose?: unknown; message?: string; scimType?: ScimError['scimType']; headers?: unknown };
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500;
    const expose = err instanceof ScimError || (e.expose === true && status < 500);
    if (status >= 500 && !(err instanceof ScimError)) log.error({ err, path: ctx.path, method: ctx.method }, 'SCIM request failed');
    if (err instanceof ScimError) for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
    sendJson(ctx, status, errorBody(status, expose ? e.message : status >= 500 ? 'Internal error' : undefined, err instanceof ScimError ? err.scimType : undefined));
  }
};

/** application/scim+json unless the client accepts only application/json; 406 for neither. */
const negotiate: Middleware = async (ctx, next) => {
  const accept = ctx.get('Accept');
  if (accept) {
    const type = ctx.accepts('application/scim+json', 'application/json');
    if (type === false) throw new ScimError(406, 'This API serves application/scim+json or application/json');
    ctx.state.mediaType = type === 'application/json' ? 'json' : 'scim';
  }
  await next();
};

/** Builds the Koa app. Logs a warning when no client is configured (every /Users request is then 401). */
export function createScimApp(opts: ScimAppOptions): Koa {
  const log = opts.logger ?? componentLogger('scim');
  const auth = isAuthenticator(opts.auth) ? opts.auth : clientListAuthenticator(opts.auth.tokens);
  if (auth.size === 0) log.warn('No SCIM clients configured (IGA_SCIM_TOKENS): every /Users request will be refused with 401');
  const maxResults = opts.maxResults ?? 200;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const guard: Middleware[] = [authMiddleware(auth)];
  if (opts.rateLimit !== false) {
    const limiter = new RateLimiter(opts.rateLimit ?? defaultRateLimit);
    guard.push(async (ctx, next) => {
      const wait = limiter.take(ctx.state.client as string);
      if (wait > 0) throw new ScimError(429, 'Too many requests', { headers: { 'Retry-After': String(wait) } });
      await next();
    });
  }
  if (opts.ready) {
    const ready = opts.ready;
    guard.push(async (_ctx, next) => {
      if (!ready()) throw new ScimError(503, 'Accounts are still loading', { headers: { 'Retry-After': '5' } });
      await next();
    });
  }

  const router = new Router();
  discoveryRoutes(router, { resourceUriPrefix: opts.resourceUriPrefix, maxResults });
  const openapi = JSON.stringify(openApiDocument(opts.resourceUriPrefix));
  router.get('/openapi.json', (ctx) => {
    ctx.set('Content-Type', 'application/json; charset=utf-8');
    ctx.body = openapi;
  });
  userRoutes(router, {
    index: opts.index, resourceUriPrefix: opts.resourceUriPrefix, queryTimeoutMs: opts.queryTimeoutMs ?? requestTimeoutMs, guard, maxResults,
    defaultCount: Math.min(opts.defaultCount ?? 100, maxResults), limits: opts.filterLimits ?? defaultParseLimits,
    maxBodyBytes: opts.maxBodyBytes ?? 65_536,
  });
  unsupportedRoutes(router, guard, maxResults);
  refuseOtherMethods(router, PUBLIC_PATHS);

  const app = new Koa();
  app.silent = true; // errors are logged by errorMiddleware
  app.use(discardUnreadBody());
  app.use(metricsMiddleware(opts.registry));
  app.use(errorMiddleware(log));
  app.use(negotiate);
  app.use(router.routes());
  return app;
}

/**
 * The routes the app serves, read from its router: OpenAPI-style path templates (`{id}`) with
 * their methods (`ALL` for the 501 fallbacks). Used by the OpenAPI test to keep the document true.
 */
export function routedPaths(app: Koa): Array<{ path: string; methods: string[] }> {
  const routers = app.middleware
    .map((mw) => (mw as { router?: Router }).router)
    .filter((r): r is Router => r !== undefined);
  return routers.flatMap((r) =>
    r.stack.map((layer) => ({
      path: String(layer.path).replace(/:(\w+)/g, '{$1}'),
      methods: layer.methods.length === 0 || layer.methods.length > 8 ? ['ALL'] : layer.methods.filter((m) => m !== 'HEAD'), // router.all() lists every verb
    })),
  );
}
