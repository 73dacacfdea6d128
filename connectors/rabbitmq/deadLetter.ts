/**
 * Dead-letter records written by the RabbitMQ connectors to the DLQ topic: what could not be
 * handled, why, and the original bytes, so nothing is dropped silently and an operator can replay.
 */

/** Bodies above this size are kept only in part (Kafka's default max message size is 1 MB). */
export const MAX_DEAD_LETTER_BODY_BYTES = 256 * 1024;

/** The DLQ topic value (JSON). */
export interface DeadLetterRecord {
  reason: string;
  /** Which component dead-lettered it. */
  source: 'ingress' | 'egress';
  exchange: string | null;
  routingKey: string | null;
  messageId: string | null;
  contentType: string | null;
  receivedAt: string;
  /** The original bytes, base64 (at most MAX_DEAD_LETTER_BODY_BYTES of them). */
  bodyBase64: string;
  /** Present and true only when the body was longer than the limit and cut. */
  truncated?: true;
  /** Size of the original body in bytes. */
  bodyBytes: number;
  /** Egress only: where the record came from in Kafka. */
  kafka?: { topic: string; partition: number; offset: string };
}

/** Builds a dead-letter record; the body is base64-encoded (and cut above the size limit). */
export function deadLetterRecord(
  fields: Omit<DeadLetterRecord, 'bodyBase64' | 'truncated' | 'bodyBytes'>,
  body: Buffer,
): DeadLetterRecord {
  const truncated = body.length > MAX_DEAD_LETTER_BODY_BYTES;
  const kept = truncated ? body.subarray(0, MAX_DEAD_LETTER_BODY_BYTES) : body;
  return { ...fields, bodyBase64: kept.toString('base64'), bodyBytes: body.length, ...(truncated ? { truncated: true as const } : {}) };
}
