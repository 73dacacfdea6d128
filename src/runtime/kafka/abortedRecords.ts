/**
 * Which records of one fetched partition belong to aborted transactions: the read_committed
 * filtering of the Java consumer, for KafkaJS's decoded fetch responses (readCommittedFix.ts
 * applies it). Pure: no I/O.
 *
 * The broker answers a read_committed fetch with the aborted transactions that overlap it, each a
 * producer id and the offset of its first record, listed in the order they were aborted (the
 * order of their abort markers), not of their first records. Walking the records in offset order,
 * a producer counts as aborting from the first record of one of its aborted transactions on, until
 * its abort marker; every transactional record it wrote meanwhile is aborted. Several aborted
 * transactions can start before one record (a fetch that begins inside them), so every entry up to
 * the record is taken, not one per record.
 */

/** An aborted transaction as a fetch response lists it (offsets as decimal strings). */
export interface AbortedTransaction { producerId: string; firstOffset: string }

/** A decoded record as KafkaJS's fetch response holds it (record batch format v2). */
export interface DecodedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext?: { producerId: string; inTransaction: boolean };
}

/** Control record type of an abort marker (the key is int16 version, int16 type). */
const ABORT = 0;

function isAbortMarker(r: DecodedRecord): boolean {
  return r.key !== null && r.key.length >= 4 && r.key.readInt16BE(2) === ABORT;
}

/** The data records of `records` (one partition, in offset order) that belong to aborted transactions. */
export function abortedRecords<R extends DecodedRecord>(records: readonly R[], aborted: readonly AbortedTransaction[] | null | undefined): R[] {
  if (!aborted || aborted.length === 0) return [];
  const pending = [...aborted].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0));
  const aborting = new Set<string>();
  const out: R[] = [];
  let next = 0;
  for (const r of records) {
    const ctx = r.batchContext;
    if (!ctx?.inTransaction) continue; // only transactional records can be aborted
    const offset = BigInt(r.offset);
    while (next < pending.length && BigInt(pending[next]!.firstOffset) <= offset) aborting.add(pending[next++]!.producerId);
    if (r.isControlRecord) {
      if (isAbortMarker(r)) aborting.delete(ctx.producerId);
    } else if (aborting.has(ctx.producerId)) {
      out.push(r);
    }
  }
  return out;
}
