/** Public API of the SCIM service provider. */
export { createScimApp, type ScimAppOptions } from './app.ts';
export { startScimServer, type RunningScimServer, type ScimServerOptions } from './server.ts';
export { TokenRegistry, parseClients, type ApiClient, type TokenRegistryOptions } from '../auth/tokenRegistry.ts';
export type { RateLimitOptions } from './auth/rateLimit.ts';
export { renderUser, userLocation, userETag, type ScimUser, type RenderOptions } from './render.ts';
export { changedScimAttributes, notifyAttributePaths } from './changedAttributes.ts';
export { AccountIndex } from '../stores/accountIndex.ts';
