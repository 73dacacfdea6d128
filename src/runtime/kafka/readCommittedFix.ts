/**
 * A fix for KafkaJS 2.2.4 (its last release): its read_committed filtering lets records of aborted
 * transactions through. It walks the broker's list of aborted transactions as if it were sorted by
 * first offset (the broker sorts it by abort) and takes at most one entry per record, so a reader
 * sees aborted records when two producers' aborted transactions overlap and the later-started one
 * aborts first, or when a fetch begins inside two of them (a fetch cut by its byte limit, or a
 * position between fetches). Every read_committed reader here goes through it: the stream thread's
 * consumer (repartition topics), the egress, restore and the replicas (partitionReader.ts).
 *
 * The fix wraps the parse step of KafkaJS's fetch responses (the versions that carry aborted
 * transactions). Each partition's aborted records are found as the Java consumer finds them
 * (abortedRecords.ts) and flagged as control records: KafkaJS leaves control records out of a
 * batch's messages but counts them when it moves its position, which is what an aborted record
 * needs. The broker's list is then emptied, so KafkaJS's own filter has nothing left to do.
 * Imported by client.ts and partitionReader.ts, so every process that reads Kafka through the
 * runtime has it.
 */
import { createRequire } from 'node:module';
import { abortedRecords, type AbortedTransaction, type DecodedRecord } from './abortedRecords.ts';

const require = createRequire(import.meta.url);

/** One partition of a decoded fetch response, as far as the fix reads it. */
export interface FetchedPartition { abortedTransactions?: AbortedTransaction[] | null; messages: DecodedRecord[] }

/** Fetch response versions whose partitions list aborted transactions (v4 on); KafkaJS knows up to v11. */
const VERSIONS = [4, 5, 6, 7, 8, 9, 10, 11];

/** Flags the partition's aborted records as control records and empties its aborted list. */
export function hideAbortedRecords(partition: FetchedPartition): void {
  const list = partition.abortedTransactions;
  if (!list || list.length === 0) return;
  for (const r of abortedRecords(partition.messages, list)) r.isControlRecord = true;
  partition.abortedTransactions = [];
}

type Parse = ((data: unknown) => Promise<unknown>) & { __igaReadCommitted?: boolean };
interface FetchResponse { responses?: Array<{ partitions?: FetchedPartition[] }> }

for (const version of VERSIONS) {
  let mod: { parse?: Parse };
  try {
    mod = require(`kafkajs/src/protocol/requests/fetch/v${version}/response.js`) as { parse?: Parse };
  } catch {
    continue; // a KafkaJS without this module layout: nothing to fix
  }
  const parse = mod.parse;
  if (typeof parse !== 'function' || parse.__igaReadCommitted) continue;
  const fixed: Parse = async (data) => {
    const parsed = (await parse(data)) as FetchResponse;
    for (const topic of parsed?.responses ?? []) for (const p of topic.partitions ?? []) hideAbortedRecords(p);
    return parsed;
  };
  fixed.__igaReadCommitted = true;
  mod.parse = fixed;
}
