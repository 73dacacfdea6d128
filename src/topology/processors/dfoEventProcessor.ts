/**
 * Sub-topology A, keyed by `<kind>:<id>` (the raw topic's key). Validates each mirrored DFØ
 * notification, holds it until its `gyldigEtter` day (Europe/Oslo), then:
 * - `ansatte`: forwards an employee-changed event to the person's task;
 * - `stillinger`: fetches the position, diffs its holders against the stored copy and forwards one
 *   holder event per employee whose ranges changed (removed = empty ranges); stores the new holders.
 * A DFØ outage parks the event (store-backed) and retries it later; nothing is dropped.
 * Stores: `positions` (position id → holders), `deferred` (due|key → event).
 */
import { osloDate, osloMidnightUtc } from '../../iga/clock.ts';
import { diffHolders, normaliseRanges } from '../../iga/holderDiff.ts';
import type { Holder } from '../../iga/model.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';
import { isRetriable, record, type Processor, type ProcessorContext, type StreamRecord } from '../../streams/index.ts';
import type { IgaDeps } from '../deps.ts';
import { rawDfoEventSchema, type Cause, type PersonEvent, type RawDfoEventValue } from '../messages.ts';
import { dueKey, takeDue } from './parking.ts';
import { replayedFrom, replayRunOf } from '../../replay/replayTopic.ts';
import { Prefetcher } from './prefetcher.ts';

interface StoredPosition { holders: Holder[]; updatedAt: string }
interface Deferred { event: RawDfoEventValue; cause: Cause; attempts: number }

export const DFO_EVENT_STORES = ['positions', 'deferred'] as const;

export function dfoEventProcessor(deps: IgaDeps): Processor<unknown> {
  let ctx: ProcessorContext;
  let positions: KeyValueStore<StoredPosition>;
  let deferred: KeyValueStore<Deferred>;
  // Read-ahead of the positions of the next raw events (keys `stillinger:<id>`); see prefetch().
  const positionsAhead = new Prefetcher({ fetch: (id) => deps.dfo.getPosition(id) });

  /** `ahead`: the event comes from process(), so its position may have been read ahead. */
  async function handle(d: Deferred, ts: number, ahead = false): Promise<void> {
    const { event, cause } = d;
    if (event.kind === 'ansatte') {
      forward({ type: 'employee-changed', employeeId: event.id, cause }, ts);
      return;
    }
    let result;
    try {
      result = ahead ? await positionsAhead.get(event.id) : await deps.dfo.getPosition(event.id);
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const wait = (deps.parkRetryMs ?? 30_000) * Math.min(2 ** d.attempts, 64);
      ctx.log.warn({ position: event.id, attempts: d.attempts + 1, retryInMs: wait, err: String(err) }, 'DFØ unavailable; event parked');
      deferred.put(dueKey(ctx.currentWallClockTime() + wait, `stillinger:${event.id}`), { ...d, attempts: d.attempts + 1 });
      return;
    }
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
    init(c) {
      ctx = c;
      positions = c.getStateStore('positions');
      deferred = c.getStateStore('deferred');
      c.schedule(deps.punctuateIntervalMs, async (now) => {
        for (const [, d] of await takeDue(deferred, now)) await handle(d, now);
      });
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
        : { kind: event.kind, id: event.id, amqpMessageId: event.source?.messageId ?? r.headers['amqp-message-id'] ?? null, raw: origin, ...replayed };
      const d: Deferred = { event, cause, attempts: 0 };
      const today = osloDate(new Date(ctx.currentWallClockTime()));
      if (event.notBefore && event.notBefore > today) {
        // A replayed copy keys by the original offset, so it replaces the original's entry instead of doubling it.
        deferred.put(dueKey(osloMidnightUtc(event.notBefore).getTime(), `${event.kind}:${event.id}:${replayOf?.offset ?? cause.raw?.offset ?? ''}`), d);
        return;
      }
      await handle(d, r.timestamp, true);
    },
  };
}
