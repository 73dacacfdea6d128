/** Public API of the SCIM service provider. */
export { createScimApp, type ScimAppOptions } from './app.ts';
export { startScimServer, type RunningScimServer, type ScimServerOptions } from './server.ts';
export { TokenRegistry, parseClients, type ApiClient, type TokenRegistryOptions } from '../common/tokenRegistry.ts';
export type { RateLimitOptions } from './auth/rateLimit.ts';
export { renderUser, userLocation, userETag, type ScimUser, type RenderOptions } from './render.ts';
export { AccountIndex } from './accountIndex.ts';
