/** Public API of the operations port and the admin API. */
export { createAdminApp, startAdminServer, type AdminRoutes, type AdminServer, type AdminServerOptions } from './server.ts';
export { AdminError, badRequest } from './errors.ts';
export { streamNdjson, type NdjsonSend } from './ndjson.ts';
