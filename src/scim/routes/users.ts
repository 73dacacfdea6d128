/**
 * /Users: GET by id (ETag, If-None-Match → 304), GET query, POST /Users/.search and the
 * root POST /.search (only Users exist, so it searches Users). Writes answer 501 (routes/unsupported.ts).
 */
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AccountIndex } from '../accountIndex.ts';
import { project } from '../attributes.ts';
import { echo, notFound } from '../errors.ts';
import type { Resource } from '../filter/accessor.ts';
import { ifNoneMatchHits, readJsonBody, sendJson, sendJsonText } from '../http.ts';
import { listResponse, listResponseJson } from '../paging.ts';
import { QueryExecutor } from '../query/execute.ts';
import { buildQuery, queryToInput, searchBodyToInput, type QueryInput, type QueryOptions } from '../query/request.ts';
import { RenderCache, userETag } from '../render.ts';

export interface UserRouteOptions extends QueryOptions {
  index: AccountIndex;
  resourceUriPrefix: string;
  queryTimeoutMs: number;
  maxBodyBytes: number;
  /** Middleware run before every /Users handler (auth, rate limit, readiness). */
  guard: Middleware[];
}

export function userRoutes(router: Router, opts: UserRouteOptions): QueryExecutor {
  const renders = new RenderCache({ resourceUriPrefix: opts.resourceUriPrefix });
  const render = (a: Parameters<RenderCache['get']>[0]) => renders.get(a) as unknown as Resource;
  const executor = new QueryExecutor(opts.index, render);

  const answer = (ctx: Context, input: QueryInput) => {
    const { spec, paging, projection } = buildQuery(input, opts);
    const result = executor.run({ ...spec, deadline: Date.now() + opts.queryTimeoutMs });
    if (!projection) {
      sendJsonText(ctx, 200, listResponseJson(result.totalResults, result.accounts.map((a) => renders.json(a)), paging));
      return;
    }
    const resources = result.accounts.map((a) => project(renders.get(a), projection));
    sendJson(ctx, 200, listResponse(result.totalResults, resources, paging));
  };

  router.get('/Users', ...opts.guard, (ctx) => answer(ctx, queryToInput(ctx.query)));

  const search: Middleware = async (ctx) => answer(ctx, searchBodyToInput(await readJsonBody(ctx, opts.maxBodyBytes)));
  router.post('/Users/.search', ...opts.guard, search);
  router.post('/.search', ...opts.guard, search);

  router.get('/Users/:id', ...opts.guard, (ctx) => {
    const account = opts.index.get(ctx.params.id ?? '');
    if (!account) throw notFound(`No User with id '${echo(ctx.params.id ?? '')}'`);
    const input = queryToInput(ctx.query);
    const { projection } = buildQuery({ attributes: input.attributes, excludedAttributes: input.excludedAttributes }, opts);
    const etag = userETag(account);
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'private, no-cache');
    if (ifNoneMatchHits(ctx.get('If-None-Match'), etag)) {
      ctx.status = 304;
      ctx.body = null;
      return;
    }
    ctx.set('Content-Location', renders.get(account).meta.location);
    if (projection) sendJson(ctx, 200, project(renders.get(account), projection));
    else sendJsonText(ctx, 200, renders.json(account));
  });
  return executor;
}
