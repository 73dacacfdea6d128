/**
 * The kit every operator feature uses to add itself to the admin API (`/admin/*` on the operations
 * port): a route contribution, the one error type, a limited JSON body reader, and NDJSON progress
 * for long operations. The
 * port itself (health, readiness, metrics, auth, the Koa app) is wiring: src/app/admin/server.ts.
 */
import type Router from '@koa/router';

/** Adds routes to the `/admin` router (paths relative to `/admin`). */
export type AdminRoutes = (router: Router) => void;

export { AdminError, adminErrors, badRequest } from './errors.ts';
export { streamNdjson, type NdjsonSend } from './ndjson.ts';
export { readJsonBody } from './body.ts';
