/**
 * Adds the two request versions exactly-once v2 (KIP-447) needs to KafkaJS 2.2.4 (pinned, its last
 * release), registered in KafkaJS's own request tables the way it registers its versions, so its
 * producer and admin send them: TxnOffsetCommit v3 (a transaction's input offsets carry the
 * consumer group's generation and member id; protocol/txnOffsetCommitV3.ts) and OffsetFetch v7
 * (`require_stable`; protocol/offsetFetchV7.ts). KafkaJS picks the highest version both it and the
 * broker know, so every TxnOffsetCommit and OffsetFetch of the process uses them on a broker that
 * has them (Kafka 2.5 and later); without group metadata or `require_stable` they ask exactly what
 * KafkaJS's own versions ask.
 *
 * KafkaJS's producer and admin pass a fixed set of arguments down to the request, so the two new
 * fields are scoped to a call instead: `withGroupMetadata(meta, () => txn.sendOffsets(...))` and
 * `withStableOffsets(() => admin.fetchOffsets(...))` (AsyncLocalStorage: the request built inside
 * that call, retries included, takes them; nothing else does). Imported by client.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { decodeOffsetFetchV7, encodeOffsetFetchV7, OFFSET_FETCH, parseOffsetFetch, type OffsetFetchArgs } from './protocol/offsetFetchV7.ts';
import { decodeTxnOffsetCommitV3, encodeTxnOffsetCommitV3, NO_GROUP_METADATA, parseTxnOffsetCommit, TXN_OFFSET_COMMIT, type GroupMetadata, type TxnOffsetCommitArgs } from './protocol/txnOffsetCommitV3.ts';

export { NO_GROUP_METADATA, type GroupMetadata };

const require = createRequire(import.meta.url);

const groupScope = new AsyncLocalStorage<GroupMetadata>();
const stableScope = new AsyncLocalStorage<boolean>();

/** Runs `fn`; a TxnOffsetCommit it sends (KafkaJS's `sendOffsets`) carries `group`. */
export function withGroupMetadata<T>(group: GroupMetadata, fn: () => Promise<T>): Promise<T> {
  return groupScope.run(group, fn);
}

/** Runs `fn`; an OffsetFetch it sends (KafkaJS's `admin.fetchOffsets`) sets `require_stable`. */
export function withStableOffsets<T>(fn: () => Promise<T>): Promise<T> {
  return stableScope.run(true, fn);
}

/** A version of one KafkaJS request: its builder gets the arguments KafkaJS's broker passes. */
type Builder<A> = (args: A) => { request: unknown; response: unknown };
interface RequestDefinitions<A> { versions: string[]; protocol: (v: { version: number }) => Builder<A>; __igaKip447?: boolean }

/** The broker lacks a version exactly-once v2 needs: a configuration error, not a retry. */
export class BrokerTooOldError extends Error {
  readonly retriable = false;
  constructor(what: string) {
    super(`${what}: the Kafka broker is older than 2.5 (KIP-447); use IGA_PROCESSING_GUARANTEE=exactly_once with it`);
    this.name = 'BrokerTooOldError';
  }
}

/**
 * Adds `version` to KafkaJS's table for one request: KafkaJS's own builders keep the versions it
 * had; `older(own)` builds those, refusing what they cannot carry. Once per process.
 */
function register<A>(defs: RequestDefinitions<A>, version: number, newest: Builder<A>, older: (own: RequestDefinitions<A>['protocol'], v: number) => Builder<A>): void {
  if (defs.__igaKip447) return;
  const own = defs.protocol;
  defs.protocol = ({ version: v }) => (v >= version ? newest : older(own, v));
  defs.versions = [...defs.versions, String(version)];
  defs.__igaKip447 = true;
}

const requests = (require('kafkajs/src/protocol/requests/index.js') as { requests: Record<string, RequestDefinitions<never>> }).requests;
const txnDefs = requests.TxnOffsetCommit as unknown as RequestDefinitions<TxnOffsetCommitArgs>;
const fetchDefs = requests.OffsetFetch as unknown as RequestDefinitions<OffsetFetchArgs>;

register(txnDefs, 3, (args) => {
  const group = groupScope.getStore() ?? NO_GROUP_METADATA;
  return {
    request: { apiKey: TXN_OFFSET_COMMIT, apiVersion: 3, apiName: 'TxnOffsetCommit', encode: async () => encodeTxnOffsetCommitV3(args, group) },
    response: { decode: async (raw: Buffer) => decodeTxnOffsetCommitV3(raw), parse: async (data: ReturnType<typeof decodeTxnOffsetCommitV3>) => parseTxnOffsetCommit(data) },
  };
}, (own, version) => (args) => {
  if (groupScope.getStore()) throw new BrokerTooOldError(`TxnOffsetCommit v${version} cannot carry the group's generation`);
  return own({ version: Math.min(version, 1) })(args);
});

register(fetchDefs, 7, (args) => {
  const requireStable = stableScope.getStore() === true;
  return {
    request: { apiKey: OFFSET_FETCH, apiVersion: 7, apiName: 'OffsetFetch', encode: async () => encodeOffsetFetchV7(args, requireStable) },
    response: { decode: async (raw: Buffer) => decodeOffsetFetchV7(raw), parse: async (data: ReturnType<typeof decodeOffsetFetchV7>) => parseOffsetFetch(data) },
  };
}, (own, version) => (args) => {
  if (stableScope.getStore()) throw new BrokerTooOldError(`OffsetFetch v${version} cannot ask for stable offsets`);
  return own({ version: Math.min(version, 4) })(args);
});
