/**
 * The publisher's view on a port of its own (IGA_CHANGES_PORT), for the systems that submit
 * changes (DFØ's integration today) with their own tokens (IGA_CHANGES_TOKENS / _FILE):
 *   GET /changes/{changeId}          one change (`<accountId>:v<version>`): its decision and each destination's tag
 *   GET /changes?messageId=<id>      one submitted message: accepted or rejected, the accounts it changed, their tags
 * Why a port of its own: the SCIM port is for SCIM clients and the admin port for operators; a
 * publisher is a third audience that a gateway exposes (or not) on its own, with its own tokens.
 * Answers come from local indexes (replicas.ts), so any instance answers; 503 while they catch up.
 */
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { z } from 'zod';
import { listenHttp, type ListeningServer } from '../../common/httpListen.ts';
import type { Logger } from '../../common/log.ts';
import type { TokenRegistry } from '../../common/tokenRegistry.ts';
import { discardUnreadBody } from '../../common/unreadBody.ts';
import { AdminError, adminErrors, badRequest } from '../adminApi/index.ts';
import type { ChangesIndex } from './replicas.ts';
import { changeIdsOf, changeView, messageView, type ChangeView } from './view.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="iga-stream-changes"' };
const changeIdParam = z.string().max(300).regex(/^[^|\s/]+:v[1-9]\d*$/, 'a change id `<accountId>:v<version>`');
const messageQuery = z.object({ messageId: z.string().min(1).max(1000) });

export interface ChangesServerOptions {
  index: ChangesIndex;
  /** The destinations this deployment drives (IGA_DRIVERS): a change they have not tagged yet is `pending` there. */
  drivers: readonly string[];
  tokens: Pick<TokenRegistry, 'authenticate' | 'size'>;
  log: Logger;
}

const auth = (tokens: ChangesServerOptions['tokens']): Middleware => async (ctx, next) => {
  const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1];
  if (!bearer) throw new AdminError(401, 'Authentication required: send Authorization: Bearer <changes token>', { headers: CHALLENGE });
  if (!tokens.authenticate(bearer)) throw new AdminError(401, 'Invalid token', { headers: CHALLENGE });
  await next();
};

export function createChangesApp(opts: ChangesServerOptions): Koa {
  const { index } = opts;
  const requireReady = () => {
    if (index.isReady()) return;
    throw new AdminError(503, `the change indexes are still catching up (${index.lag()} records to go); try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  const viewOf = async (changeId: string): Promise<ChangeView | null> => changeView(changeId, await index.decisionOf(changeId), await index.tags(changeId), opts.drivers);
  const router = new Router();
  router.use(auth(opts.tokens));
  router.get('/changes/:id', async (ctx) => {
    const id = changeIdParam.safeParse(ctx.params.id);
    if (!id.success) throw badRequest(id.error.issues.map((i) => ({ ...i, path: ['id'] })));
    requireReady();
    const view = await viewOf(id.data);
    if (!view) throw new AdminError(404, `no change ${id.data} is known (no decision made it and no destination tagged it)`);
    ctx.body = view;
  });
  router.get('/changes', async (ctx) => {
    const q = messageQuery.safeParse(ctx.query);
    if (!q.success) throw badRequest(q.error.issues);
    requireReady();
    const found = await index.message(q.data.messageId);
    const changes: ChangeView[] = [];
    for (const id of changeIdsOf(found.decisions, found.taggedChanges)) {
      const v = await viewOf(id);
      if (v) changes.push(v);
    }
    const view = messageView(q.data.messageId, found, changes);
    if (!view) throw new AdminError(404, `no message with id ${JSON.stringify(q.data.messageId)} has reached iga-stream (or not yet)`);
    ctx.body = view;
  });
  const app = new Koa();
  app.silent = true;
  app.use(discardUnreadBody());
  app.use(adminErrors(opts.log, 'changes'));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  return app;
}

export async function startChangesServer(opts: ChangesServerOptions & { port: number; host: string }): Promise<ListeningServer> {
  return listenHttp(createChangesApp(opts), { port: opts.port, host: opts.host });
}
