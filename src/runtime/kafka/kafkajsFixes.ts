/**
 * A fix for KafkaJS 2.2.4 (its last release): its request queue schedules the next check of
 * pending requests with `setTimeout(fn, throttledUntil - Date.now())`, which is negative when no
 * throttle is in force, and Node warns (TimeoutNegativeWarning) on every such timer. Same
 * behaviour (a negative delay already runs at once), without the warning. Imported by the stream
 * runtime's Kafka client, so every process that talks to Kafka through it gets the fix.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const CHECK_PENDING_REQUESTS_INTERVAL = 10; // KafkaJS's own constant

interface QueueState { throttledUntil: number; throttleCheckTimeoutId: NodeJS.Timeout | null; pending: unknown[]; checkPendingRequests(): void }
interface RequestQueueProto { scheduleCheckPendingRequests(this: QueueState): void; __igaPatched?: boolean }

try {
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueProto };
  const proto = RequestQueue.prototype;
  if (!proto.__igaPatched && typeof proto.scheduleCheckPendingRequests === 'function') {
    // KafkaJS's method with the delay clamped at 0.
    proto.scheduleCheckPendingRequests = function (this: QueueState) {
      let scheduleAt = this.throttledUntil - Date.now();
      if (!this.throttleCheckTimeoutId) {
        if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
        this.throttleCheckTimeoutId = setTimeout(() => {
          this.throttleCheckTimeoutId = null;
          this.checkPendingRequests();
        }, Math.max(0, scheduleAt));
      }
    };
    proto.__igaPatched = true;
  }
} catch {
  // A KafkaJS without this module layout: nothing to fix.
}
