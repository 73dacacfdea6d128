/**
 * What kind of failure an error is, read from the codes the libraries put on their errors, never
 * from message text (a message is for people: it changes between versions and can contain a path
 * or a key that happens to spell a keyword). KafkaJS's protocol errors carry the broker's error
 * name in `type` (REBALANCE_IN_PROGRESS, INVALID_PRODUCER_EPOCH, ...); RocksDB's (abstract-level's)
 * carry `code` (LEVEL_LOCKED, LEVEL_IO_ERROR, ...). Both libraries wrap: KafkaJS puts the original
 * in `cause` (retries exhausted, non-retriable wrappers), RocksDB's "Database is not open" too.
 */
import kafkajs from 'kafkajs';

const { KafkaJSGroupCoordinatorNotFound } = kafkajs;

/** The `type` and `code` strings of `err` and of the errors it wraps (`cause`, `originalError`). */
export function errorKinds(err: unknown): string[] {
  const kinds: string[] = [];
  let e = err as { type?: unknown; code?: unknown; cause?: unknown; originalError?: unknown } | null | undefined;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    if (typeof e.type === 'string') kinds.push(e.type);
    if (typeof e.code === 'string') kinds.push(e.code);
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return kinds;
}

const hasKind = (err: unknown, kinds: ReadonlySet<string>): boolean => errorKinds(err).some((k) => kinds.has(k));

const REBALANCE = new Set(['REBALANCE_IN_PROGRESS']);

/** The consumer group is rebalancing: the member must end the batch in hand and rejoin. */
export function isRebalanceInProgress(err: unknown): boolean {
  return hasKind(err, REBALANCE);
}

/**
 * The broker refused a task's transaction because a newer producer with the same transactional id
 * exists (another instance took the task over): INVALID_PRODUCER_EPOCH is what a broker answers
 * KafkaJS's request versions for a fenced producer; the other two mean the same id is no longer ours
 * to use.
 */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

export function isProducerFenced(err: unknown): boolean {
  return hasKind(err, FENCED);
}

/**
 * The group coordinator refused a transaction's offsets because they carry a generation of the
 * group that is over, or a member it no longer knows (TxnOffsetCommit v3, exactly-once v2): this
 * instance missed a rebalance and its tasks may belong to others now.
 */
const GENERATION_FENCED = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

export function isGenerationFenced(err: unknown): boolean {
  return hasKind(err, GENERATION_FENCED);
}

const OUT_OF_RANGE = new Set(['OFFSET_OUT_OF_RANGE']);

/** A fetch asked for an offset outside the partition's log (truncated by retention, or recreated). */
export function isOffsetOutOfRange(err: unknown): boolean {
  return hasKind(err, OUT_OF_RANGE);
}

/**
 * The cluster has no coordinator for a transactional id yet: a new cluster creates
 * `__transaction_state` at the first transactional request (50 partitions by default, seconds on a
 * busy broker), and a coordinator that moves loads its partition first. KafkaJS gives up on the
 * lookup after its short retry budget with a non-retriable KafkaJSGroupCoordinatorNotFound (an
 * error class without a broker code, so it is known by its class). The codes are KafkaJS's names
 * for the broker's COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR.
 */
const COORDINATOR_NOT_READY = new Set(['GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'CONCURRENT_TRANSACTIONS']);

export function isCoordinatorNotReady(err: unknown): boolean {
  return err instanceof KafkaJSGroupCoordinatorNotFound || hasKind(err, COORDINATOR_NOT_READY);
}

const LOCKED = new Set(['LEVEL_LOCKED']);

/** A RocksDB folder another open database holds (another process, or this one, has it open). */
export function isStoreLocked(err: unknown): boolean {
  return hasKind(err, LOCKED);
}
