/** The operations port: health, readiness, metrics and the admin API's server (features bring the routes). */
export { createAdminApp, startAdminServer, type AdminServer, type AdminServerOptions } from './server.ts';
