/** The SCIM 2.0 API as a part: answers from the account replica, with its own client tokens. */
import { TokenRegistry } from '../../common/tokenRegistry.ts';
import { startScimServer, type AccountIndex } from '../../scim/index.ts';
import type { Part, PartContext } from './part.ts';

export async function scimPart(ctx: PartContext, accounts: { index: AccountIndex; isReady(): boolean }): Promise<Part & { url: string }> {
  const { scim: cfg } = ctx.cfg;
  const tokens = new TokenRegistry({ tokens: cfg.tokens, ...(cfg.tokensFile ? { file: cfg.tokensFile } : {}) });
  // Revocation without restart: the token file is re-read when it changes and on SIGHUP.
  if (cfg.tokensFile) tokens.watch();
  try {
    const scim = await startScimServer({ index: accounts.index, resourceUriPrefix: cfg.resourceUriPrefix, auth: tokens, port: cfg.port, host: cfg.host, ready: accounts.isReady, logger: ctx.logOf('scim') });
    return { name: 'scim', url: scim.url, close: async () => { await scim.close(); tokens.close(); } };
  } catch (err) {
    tokens.close();
    throw err;
  }
}
