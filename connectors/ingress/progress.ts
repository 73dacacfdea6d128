/**
 * The ingress's progress verdict, pure so it can be tested exhaustively: from what the ingress
 * holds and what the queue says, is it stalled, why, and should the connection be recycled?
 * A stall is visible (readiness, `iga_ingress_stalled`, a log line) whatever its cause; a recycle
 * (drop the AMQP connection, so RabbitMQ redelivers what we held) is only worth it when the fault
 * is on our side of the broker — not while Kafka refuses writes, which a new connection cannot fix.
 */

export interface ProgressProbe {
  now: number;
  connected: boolean;
  /** Deliveries received and not yet acked (waiting or being produced). */
  held: number;
  /** When the oldest of them arrived; null when none is held. */
  oldestHeldSince: number | null;
  /** A batch is being produced to Kafka (possibly retrying). */
  producing: boolean;
  /** Deliveries wait, but no batch runs and none is scheduled. */
  stuck: boolean;
  /** When the last delivery arrived (start-up time before the first). */
  lastDeliveryAt: number;
  /** Messages ready in the queue; null when unknown. */
  queueReady: number | null;
}

export type StallReason =
  /** Kafka has not acknowledged the batch in hand for the whole stall window. */
  | 'kafka-not-acknowledging'
  /** Deliveries are held but nothing produces them: a fault of ours; recycle. */
  | 'not-producing'
  /** Messages are ready in the queue but none has arrived for the whole window: recycle. */
  | 'not-receiving'
  /** No AMQP connection (the reconnect loop is running). */
  | 'disconnected';

export type ProgressVerdict =
  | { stalled: false }
  | { stalled: true; reason: StallReason; recycle: boolean; detail: string };

/** `stallAfterMs`: how long a condition must last before it counts as a stall. */
export function judgeProgress(p: ProgressProbe, stallAfterMs: number): ProgressVerdict {
  const heldFor = p.oldestHeldSince === null ? 0 : p.now - p.oldestHeldSince;
  if (!p.connected) {
    return { stalled: true, reason: 'disconnected', recycle: false, detail: 'no AMQP connection; reconnecting' };
  }
  if (p.held > 0 && p.stuck && heldFor >= Math.min(stallAfterMs, 5_000)) {
    // Should never happen; if it does, waiting longer cannot help.
    return { stalled: true, reason: 'not-producing', recycle: true, detail: `${p.held} deliveries held for ${secs(heldFor)} with no produce running` };
  }
  if (p.held > 0 && heldFor >= stallAfterMs) {
    return p.producing
      ? { stalled: true, reason: 'kafka-not-acknowledging', recycle: false, detail: `Kafka has not acknowledged ${p.held} deliveries for ${secs(heldFor)}` }
      : { stalled: true, reason: 'not-producing', recycle: true, detail: `${p.held} deliveries held for ${secs(heldFor)} with no produce running` };
  }
  const quietFor = p.now - p.lastDeliveryAt;
  if (p.held === 0 && (p.queueReady ?? 0) > 0 && quietFor >= stallAfterMs) {
    return { stalled: true, reason: 'not-receiving', recycle: true, detail: `${p.queueReady} messages ready in the queue, none delivered for ${secs(quietFor)}` };
  }
  return { stalled: false };
}

function secs(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
