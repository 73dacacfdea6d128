/**
 * The publisher's view as a part (src/features/changes): its indexes, kept when drivers run (their
 * operator commands read the tags) or publisher clients are configured, and its own port, opened
 * only with publisher clients (IGA_CHANGES_TOKENS or _FILE) — with none, every request would be
 * refused.
 */
import { TokenRegistry } from '../../common/tokenRegistry.ts';
import { startChangesIndex, type ChangesIndex } from '../../features/changes/replicas.ts';
import { startChangesServer } from '../../features/changes/server.ts';
import type { Part, PartContext } from './part.ts';

export async function changesPart(ctx: PartContext): Promise<(Part & { url: string | null; index: ChangesIndex }) | null> {
  const { cfg } = ctx;
  const serve = cfg.changes.tokens !== '' || cfg.changes.tokensFile !== undefined;
  if (!serve && cfg.drivers.names.length === 0) return null;
  const log = ctx.logOf('changes');
  const tokens = new TokenRegistry({ label: 'changes', tokens: cfg.changes.tokens, ...(cfg.changes.tokensFile ? { file: cfg.changes.tokensFile } : {}) });
  // Revocation without restart, as for SCIM clients.
  if (cfg.changes.tokensFile) tokens.watch();
  let index: ChangesIndex | null = null;
  try {
    index = await startChangesIndex({ brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, log, profiles: cfg.publish.publishers !== null });
    const server = serve ? await startChangesServer({ index, drivers: cfg.drivers.names, tokens, log, port: cfg.changes.port, host: cfg.changes.host }) : null;
    if (server) log.info({ url: server.url, clients: tokens.clientNames }, 'publisher\'s view started');
    const idx = index;
    return {
      name: 'changes', url: server?.url ?? null, index: idx,
      close: async () => { await server?.close(); await idx.close(); tokens.close(); },
      replica: { name: 'changes', state: () => ({ ready: idx.isReady(), lag: idx.lag() }) },
    };
  } catch (err) {
    await index?.close();
    tokens.close();
    throw err;
  }
}
