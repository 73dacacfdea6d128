/**
 * Store-backed deferral of the keyed steps (dfo-events by `<kind>:<id>`, person by employee id).
 * Work that must wait (a future `gyldigEtter`, an event whose handling failed) is kept in the step's
 * store keyed by due time, and a punctuation hands back what is due. Survives restarts and moves
 * with the task, because the store has a changelog.
 *
 * Parking (class Parking): when handling an event fails in a way a retry may fix (isRetriable: DFØ
 * unavailable for this person or position, a store read), the event is parked and tried again
 * after a wait (`retryMs`, doubling per attempt up to 64×), and every later event of the same key
 * waits behind it, so one key's events are always applied in the order they came while every other
 * key flows on. A retry makes one quick DFØ attempt. When the parked event goes through, the events
 * behind it are handled in order; one that fails is parked in turn. A failure a retry cannot fix
 * goes to the runtime from process() (dead letter); in a punctuation the event is dead-lettered
 * through the context and the events behind it go on.
 *
 * Store layout:
 *   `<due>|<id>` → value            due work, taken in due order. When `<id>` is a parked key this is
 *                                   the head of its queue; the dfo-events step also holds its
 *                                   future-dated events here (`<kind>:<id>:<offset>`).
 *   `queue|<key>` → {at, next}      the key is parked; `at` is the schedule key of its head
 *   `queue|<key>|<seq>` → value     events waiting behind the head, in arrival order
 *   `queue-format` → {version}      the store has this layout (see ensureLayout())
 * Keys that start with a letter sort after every due time, so takeDue never returns them.
 */
import type { KeyValueStore } from '../../runtime/api/index.ts';
import { prefixRange } from '../../runtime/api/index.ts';
import { describeError, isRetriable, type ProcessorContext, type RecordOrigin } from '../../runtime/api/index.ts';
import { counter } from '../../common/metrics.ts';
import type { ParkingLayoutMarker, ParkingQueueIndex } from '../contracts/stores.ts';

/**
 * Parked events by step. The log line of each park is at debug: during a DFØ outage every event
 * parks, and the outage itself is logged once by dependency health (connectors/dfo/health.ts).
 */
const parkedEvents = counter('iga_parked_events_total', 'Events parked after a failure a retry may fix (first parks and failed retries), by step', ['step']);

/** Keys sort by due time: a fixed-width epoch-ms prefix. */
export function dueKey(dueMs: number, id: string): string {
  return `${String(Math.max(0, Math.floor(dueMs))).padStart(15, '0')}|${id}`;
}

/** Removes and returns every entry due at or before `nowMs`. */
export async function takeDue<V>(store: KeyValueStore<V>, nowMs: number, limit = 1000): Promise<Array<[string, V]>> {
  const due: Array<[string, V]> = [];
  for await (const [k, v] of store.range({ lte: `${String(Math.floor(nowMs)).padStart(15, '0')}|\uffff`, limit })) due.push([k, v]);
  for (const [k] of due) store.delete(k);
  return due;
}

/** The wait before retry number `attempts + 1` of a parked event. */
export function parkWaitMs(retryMs: number, attempts: number): number {
  return retryMs * Math.min(2 ** attempts, 64);
}

/** What a parked event carries besides itself: how often it failed. */
export interface Parkable { attempts: number }

export interface ParkingOptions<V extends Parkable> {
  /** The step's name in metrics (`dfo-events`, `person`). */
  step: string;
  /** The step's deferral store. */
  store: KeyValueStore<unknown>;
  ctx: ProcessorContext;
  /** First wait before a parked event is tried again. */
  retryMs: number;
  /** The key whose events must stay in order. */
  keyOf(value: V): string;
  /** The input record the event came from, for its dead letter. */
  originOf(value: V): RecordOrigin | null;
  /**
   * Handles one event; throws when that fails. It must read everything it needs (DFØ, stores) before
   * it writes or forwards anything, so a failure leaves no trace. `retry`: called by a punctuation
   * (make one quick DFØ attempt); else from process(). `timestamp`: of the records it forwards.
   */
  handle(value: V, call: { retry: boolean; timestamp: number }): Promise<void>;
}

const FORMAT_KEY = 'queue-format';
const indexKey = (key: string) => `queue|${key}`;
const waitingKey = (key: string, seq: number) => `queue|${key}|${String(seq).padStart(15, '0')}`;

/** Parking of one keyed step (see the file header). Create it in the processor's init(). */
export class Parking<V extends Parkable> {
  private readonly o: ParkingOptions<V>;

  constructor(opts: ParkingOptions<V>) {
    this.o = opts;
  }

  /** Whether `key` has a parked event (its later events wait behind it). */
  isParked(key: string): Promise<boolean> {
    return this.o.store.has(indexKey(key));
  }

  /** An event from process(): queued behind its key's parked event, else handled now (parked if that fails retriably). */
  async submit(value: V, timestamp: number): Promise<void> {
    const key = this.o.keyOf(value);
    if (await this.isParked(key)) return this.enqueue(key, value);
    await this.attempt(key, value, { retry: false, timestamp });
  }

  /**
   * Handles what is due at `nowMs`: a parked event is retried and, when it goes through, the events
   * behind it follow in order; any other due event (held until its day) is handled, behind its
   * key's parked event if there is one.
   */
  async punctuate(nowMs: number): Promise<void> {
    await this.ensureLayout();
    for (const [k, value] of (await takeDue(this.o.store, nowMs)) as Array<[string, V]>) {
      const key = this.o.keyOf(value);
      const index = await this.index(key);
      if (index?.at === k) await this.resume(key, value, nowMs);
      else if (index) await this.enqueue(key, value);
      else await this.attemptInPunctuation(key, value, nowMs);
    }
  }

  /**
   * Brings a store written before the queues existed (only `<due>|<id>` entries, several per key
   * possible) to this layout: the earliest entry of each key becomes its head, the later ones wait
   * behind it in due order. Idempotent; runs once per store (marker), from init() and, should that
   * transaction have been rolled back, from the next punctuation.
   */
  async ensureLayout(): Promise<void> {
    const { store } = this.o;
    if (await store.has(FORMAT_KEY)) return;
    const scheduled: Array<[string, V]> = [];
    for await (const [k, v] of store.range({ gte: '0', lt: ':' })) scheduled.push([k, v as V]);
    let moved = 0;
    for (const [k, value] of scheduled) {
      const key = this.o.keyOf(value);
      if (k.slice(k.indexOf('|') + 1) !== key) continue; // held until its day, not parked
      const index = await this.index(key);
      if (!index) store.put(indexKey(key), { at: k, next: 0 } satisfies ParkingQueueIndex);
      else if (index.at !== k) {
        store.delete(k);
        await this.enqueue(key, value);
        moved++;
      }
    }
    store.put(FORMAT_KEY, { version: 2 } satisfies ParkingLayoutMarker);
    if (moved > 0) this.o.ctx.log.info({ moved }, 'parked events of one key queued behind the earliest (store from an earlier version)');
  }

  private async index(key: string): Promise<ParkingQueueIndex | undefined> {
    return (await this.o.store.get(indexKey(key))) as ParkingQueueIndex | undefined;
  }

  /** Handles `value`; a retriable failure parks it as `key`'s head. False when parked. */
  private async attempt(key: string, value: V, call: { retry: boolean; timestamp: number }): Promise<boolean> {
    try {
      await this.o.handle(value, call);
      return true;
    } catch (err) {
      if (!isRetriable(err)) throw err;
      await this.park(key, value, err);
      return false;
    }
  }

  /** As attempt(), in a punctuation: a failure no retry can fix is dead-lettered (true: go on with the next). */
  private async attemptInPunctuation(key: string, value: V, nowMs: number): Promise<boolean> {
    try {
      return await this.attempt(key, value, { retry: true, timestamp: nowMs });
    } catch (err) {
      this.o.ctx.deadLetter(`parked event failed: ${describeError(err)}`, key, value, this.o.originOf(value));
      return true;
    }
  }

  /** Retries `key`'s head, then the events behind it in order, until one is parked or none is left. */
  private async resume(key: string, head: V, nowMs: number): Promise<void> {
    for (let value: V | undefined = head; value !== undefined; value = await this.shift(key)) {
      if (!(await this.attemptInPunctuation(key, value, nowMs))) return;
    }
    this.o.ctx.log.debug({ key }, 'parked key resumed: its events were handled in order');
  }

  private async park(key: string, value: V, err: unknown): Promise<void> {
    const wait = parkWaitMs(this.o.retryMs, value.attempts);
    const at = dueKey(this.o.ctx.currentWallClockTime() + wait, key);
    const index = await this.index(key);
    this.o.store.put(at, { ...value, attempts: value.attempts + 1 });
    this.o.store.put(indexKey(key), { at, next: index?.next ?? 0 } satisfies ParkingQueueIndex);
    parkedEvents.inc({ step: this.o.step });
    this.o.ctx.log.debug({ key, attempts: value.attempts + 1, retryInMs: wait, err: describeError(err) }, 'event parked; later events of its key wait behind it');
  }

  private async enqueue(key: string, value: V): Promise<void> {
    const index = (await this.index(key))!;
    this.o.store.put(waitingKey(key, index.next), value);
    this.o.store.put(indexKey(key), { ...index, next: index.next + 1 } satisfies ParkingQueueIndex);
    this.o.ctx.log.debug({ key, seq: index.next }, 'event queued behind its key\'s parked event');
  }

  /** The next event waiting behind `key`'s head, taken off the queue; none left: the key is no longer parked. */
  private async shift(key: string): Promise<V | undefined> {
    for await (const [k, v] of this.o.store.range({ ...prefixRange(`${indexKey(key)}|`), limit: 1 })) {
      this.o.store.delete(k);
      return v as V;
    }
    this.o.store.delete(indexKey(key));
    return undefined;
  }
}
