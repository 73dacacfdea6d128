/**
 * What a read-only provider refuses or stubs: writes on /Users and /Groups → 501 (RFC 7644
 * §3.12), /Bulk → 501 (bulk.supported=false), /Me → 501 (§3.11), GET /Groups → an empty
 * ListResponse (sector profile), GET /Groups/{id} → 404. Any other method on a routed path → 501.
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { echo, notFound, notImplemented } from '../errors.ts';
import { sendJson } from '../http.ts';
import { listResponse, parsePaging } from '../paging.ts';

export function unsupportedRoutes(router: Router, guard: Middleware[], maxResults: number): void {
  const refuse: Middleware = () => {
    throw notImplemented();
  };
  router.get('/Groups', ...guard, (ctx) => {
    const paging = parsePaging(ctx.query.startIndex, ctx.query.count, { defaultCount: maxResults, maxResults });
    sendJson(ctx, 200, listResponse(0, [], paging));
  });
  router.get('/Groups/:id', ...guard, (ctx) => {
    throw notFound(`No Group with id '${echo(ctx.params.id ?? '')}'`);
  });
  router.all('/Me', ...guard, () => {
    throw notImplemented('/Me is not supported: clients authenticate as services, not as Users');
  });
  router.all('/Bulk', ...guard, () => {
    throw notImplemented('Bulk operations are not supported');
  });
  for (const path of ['/Users', '/Users/:id', '/Groups', '/Groups/:id', '/Users/.search', '/.search']) router.all(path, ...guard, refuse);
}

/** Any other method on a public (discovery) path. */
export function refuseOtherMethods(router: Router, paths: string[]): void {
  for (const path of paths) router.all(path, () => {
    throw notImplemented('Only GET is supported here');
  });
}
