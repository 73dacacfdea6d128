/**
 * Follows an audit record's `cause.raw` link back to the record itself (the mirrored DFØ
 * notification, or the internal event that caused the decision), for the explain report.
 */
import type { RecordOrigin, TopicRecordReader } from '../../runtime/index.ts';

/** The linked record, or why it cannot be shown; the coordinates are always there. */
export type RawEventLink = RecordOrigin & (
  | { found: true; key: string | null; value: unknown; timestamp: string; headers: Record<string, string> }
  | { found: false; reason: string }
);

/** Reads the record at `origin`; never throws (a broker error becomes `found: false` with the reason). */
export async function readRawEvent(reader: TopicRecordReader, origin: RecordOrigin): Promise<RawEventLink> {
  const at = { topic: origin.topic, partition: origin.partition, offset: origin.offset };
  try {
    const r = await reader.read(at);
    if (!r.found) return { ...at, found: false, reason: r.reason };
    return { ...at, found: true, key: r.record.key, value: decode(r.record.value), timestamp: new Date(r.record.timestamp).toISOString(), headers: r.record.headers };
  } catch (err) {
    return { ...at, found: false, reason: `could not read it: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** JSON when it parses, else the text (the raw topic holds JSON; be lenient for others). */
function decode(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
