/**
 * GET /ServiceProviderConfig, /ResourceTypes[/{name}], /Schemas[/{uri}] (RFC 7644 §4). Public.
 * Filter/sort/paging parameters are ignored, except that `filter` gets 403 as §4 recommends.
 * Schema ids are matched case-insensitively (URNs are).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ScimError, echo, notFound } from '../errors.ts';
import { sendJson } from '../http.ts';
import { serviceProviderConfig, schemaResource, servedSchemas, userResourceType } from '../schema/discovery.ts';
import { LIST_RESPONSE_SCHEMA } from '../schema/userSchema.ts';

function refuseFilter(ctx: Context): void {
  if (ctx.query.filter !== undefined) throw new ScimError(403, 'Filtering is not supported on discovery endpoints');
}

function list(items: unknown[]) {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items };
}

export function discoveryRoutes(router: Router, opts: { resourceUriPrefix: string; maxResults: number }): void {
  const prefix = opts.resourceUriPrefix;
  router.get('/ServiceProviderConfig', (ctx) => {
    refuseFilter(ctx);
    sendJson(ctx, 200, serviceProviderConfig(prefix, opts.maxResults));
  });
  router.get('/ResourceTypes', (ctx) => {
    refuseFilter(ctx);
    sendJson(ctx, 200, list([userResourceType(prefix)]));
  });
  router.get('/ResourceTypes/:name', (ctx) => {
    refuseFilter(ctx);
    if (ctx.params.name?.toLowerCase() !== 'user') throw notFound(`No resource type '${echo(ctx.params.name ?? '')}'`);
    sendJson(ctx, 200, userResourceType(prefix));
  });
  router.get('/Schemas', (ctx) => {
    refuseFilter(ctx);
    sendJson(ctx, 200, list(servedSchemas.map((s) => schemaResource(s, prefix))));
  });
  router.get('/Schemas/:uri', (ctx) => {
    refuseFilter(ctx);
    const want = (ctx.params.uri ?? '').toLowerCase();
    const schema = servedSchemas.find((s) => s.id.toLowerCase() === want);
    if (!schema) throw notFound(`No schema '${echo(ctx.params.uri ?? '')}'`);
    sendJson(ctx, 200, schemaResource(schema, prefix));
  });
}
