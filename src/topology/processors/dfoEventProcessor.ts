/**
 * Sub-topology A, keyed by `<kind>:<id>` (the raw topic's key). Validates each mirrored DFØ
 * notification, holds it until its `gyldigEtter` day (Europe/Oslo), then:
 * - `ansatte`: forwards an employee-changed event to the person's task;
 * - `stillinger`: fetches the position, diffs its holders against the stored copy and forwards one
 *   holder event per employee whose ranges changed (removed = empty ranges); stores the new holders.
 * Per-key isolation (parking.ts): an event whose handling fails in a way a retry may fix (DFØ
 * unavailable for this position, a store read) is parked in `deferred` and retried with backoff,
 * one quick DFØ attempt each time; later events of the same `<kind>:<id>` wait behind it and are
 * handled in order after it, while every other key on the partition flows on. Nothing is dropped.
 * Stores: `positions` (position id → holders), `deferred` (events held until their day, parked
 * events and the events waiting behind them).
 */
import { osloDate, osloMidnightUtc } from '../../iga/clock.ts';
import { diffHolders, normaliseRanges } from '../../iga/holderDiff.ts';
import type { KeyValueStore } from '../../runtime/api/index.ts';
import { isRetriable, record, type Processor, type ProcessorContext, type StreamRecord } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import type { Cause, PersonEvent } from '../contracts/messages.ts';
import { RAW_HEADERS, rawDfoEventSchema, rawEventKey, replayedFrom, replayRunOf } from '../contracts/raw.ts';
import { STORE, type DeferredRawEvent, type StoredPosition } from '../contracts/stores.ts';
import { dueKey, Parking } from './parking.ts';
import { Prefetcher } from './prefetcher.ts';

export function dfoEventProcessor(deps: IgaDeps): Processor<unknown> {
  let ctx: ProcessorContext;
  let positions: KeyValueStore<StoredPosition>;
  let deferred: KeyValueStore<DeferredRawEvent>;
  let parking: Parking<DeferredRawEvent>;
  // Read-ahead of the positions of the next raw events (keys `stillinger:<id>`) that are not parked
  // (their events wait without a fetch); see prefetch(). DFØ unavailable for a read-ahead parks the event at once.
  const positionsAhead = new Prefetcher({
    fetch: (id) => deps.dfo.getPosition(id),
    wanted: async (id) => !(await parking.isParked(`stillinger:${id}`)),
    rethrow: isRetriable,
  });

  /**
   * Handles one event. Throws when DFØ or a store fails (Parking parks it then); reads everything
   * before it forwards or stores anything, so a failure leaves nothing behind. From process() the
   * position may have been read ahead; a parked event's retry makes one quick DFØ attempt.
   */
  async function handle(d: DeferredRawEvent, call: { retry: boolean; timestamp: number }): Promise<void> {
    const { event, cause } = d;
    const ts = call.timestamp;
    if (event.kind === 'ansatte') {
      forward({ type: 'employee-changed', employeeId: event.id, cause }, ts);
      return;
    }
    const result = call.retry ? await deps.dfo.getPosition(event.id, { attempts: 1 }) : await positionsAhead.get(event.id);
    const before = (await positions.get(event.id))?.holders ?? null;
    const after = result.kind === 'found' ? result.value.holders : [];
    const changes = diffHolders(before, after);
    // A reconciliation run names holders whose event was lost downstream: send theirs too.
    for (const id of event.reconcile?.resendHolders ?? []) if (!changes.has(id)) changes.set(id, normaliseRanges(after.filter((h) => h.employeeId === id)));
    for (const [employeeId, ranges] of changes) {
      forward({ type: 'holder', employeeId, positionId: event.id, ranges, cause, dfoResponse: result.kind === 'found' ? result.raw : { gone: result.reason } }, ts);
    }
    if (result.kind === 'found') positions.put(event.id, { holders: after, updatedAt: new Date(ts).toISOString() });
    else positions.delete(event.id);
  }

  function forward(e: PersonEvent, ts: number): void {
    ctx.forward(record(e.employeeId, e, ts));
  }

  return {
    async init(c) {
      ctx = c;
      positions = c.getStateStore(STORE.positions);
      deferred = c.getStateStore(STORE.deferred);
      parking = new Parking<DeferredRawEvent>({
        step: 'dfo-events', store: deferred, ctx: c, retryMs: deps.parkRetryMs ?? 30_000,
        keyOf: (d) => rawEventKey(d.event),
        originOf: (d) => d.cause.raw,
        handle,
      });
      await parking.ensureLayout();
      c.schedule(deps.punctuateIntervalMs, (now) => parking.punctuate(now));
    },
    prefetch(keys) {
      positionsAhead.hint(keys.filter((k) => k.startsWith('stillinger:')).map((k) => k.slice('stillinger:'.length)));
    },
    async process(r: StreamRecord<unknown>) {
      const parsed = rawDfoEventSchema.safeParse(r.value);
      if (!parsed.success) throw new Error(`invalid raw DFØ event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const event = parsed.data;
      const origin = ctx.recordOrigin();
      const replayOf = replayedFrom(r.headers, origin);
      const replayRun = replayOf ? replayRunOf(r.headers) : undefined;
      const replayed = replayOf ? { replayOf, ...(replayRun ? { replayRun } : {}) } : {};
      const cause: Cause = event.reconcile
        ? { kind: 'reconcile', id: event.reconcile.runId, amqpMessageId: null, raw: origin, ...replayed }
        : { kind: event.kind, id: event.id, amqpMessageId: event.source?.messageId ?? r.headers[RAW_HEADERS.amqpMessageId] ?? null, raw: origin, ...replayed };
      const d: DeferredRawEvent = { event, cause, attempts: 0 };
      const today = osloDate(new Date(ctx.currentWallClockTime()));
      if (event.notBefore && event.notBefore > today) {
        // A replayed copy keys by the original offset, so it replaces the original's entry instead of doubling it.
        deferred.put(dueKey(osloMidnightUtc(event.notBefore).getTime(), `${event.kind}:${event.id}:${replayOf?.offset ?? cause.raw?.offset ?? ''}`), d);
        return;
      }
      await parking.submit(d, r.timestamp);
    },
  };
}
