/**
 * Remembers each transactional producer's transaction coordinator for a few seconds.
 *
 * KafkaJS 2.2.4 (pinned, its last release) asks the broker for the transaction coordinator
 * (FindCoordinator) before every AddPartitionsToTxn, AddOffsetsToTxn and EndTxn: about 3 of the
 * ~9.5 requests of each task commit (measured: 425 FindCoordinator requests for 100 commits, 100 of
 * them for the consumer group). The coordinator of a transactional id only moves when the
 * `__transaction_state` partition leadership moves (a broker failure), so an answer is kept for
 * TTL_MS while its broker connection is up. After a move, a commit within that window fails like
 * any commit during a broker failure (the task is closed and taken up again) and the next lookup
 * asks again. Group coordinator lookups (consumers) are not cached.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const TTL_MS = 5_000;
const TRANSACTION = 1; // kafkajs/src/protocol/coordinatorTypes.js

interface BrokerLike { isConnected(): boolean }
interface Lookup { groupId: string; coordinatorType?: number }
type Find = (this: object, args: Lookup) => Promise<BrokerLike>;

const cache = new WeakMap<object, Map<string, { broker: BrokerLike; until: number }>>();
let installed = false;

/** Patches KafkaJS's Cluster once per process (idempotent). */
export function installCoordinatorCache(): void {
  if (installed) return;
  installed = true;
  const Cluster = require('kafkajs/src/cluster/index.js') as { prototype: { findGroupCoordinator: Find } };
  const original = Cluster.prototype.findGroupCoordinator;
  Cluster.prototype.findGroupCoordinator = async function (this: object, args: Lookup): Promise<BrokerLike> {
    if (args.coordinatorType !== TRANSACTION) return original.call(this, args);
    let mine = cache.get(this);
    if (!mine) cache.set(this, (mine = new Map()));
    const hit = mine.get(args.groupId);
    if (hit && hit.until > Date.now() && hit.broker.isConnected()) return hit.broker;
    mine.delete(args.groupId);
    const broker = await original.call(this, args);
    mine.set(args.groupId, { broker, until: Date.now() + TTL_MS });
    return broker;
  };
}
