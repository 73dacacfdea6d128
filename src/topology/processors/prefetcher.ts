/**
 * Read-ahead of DFØ GETs for a processor's next records (Processor.prefetch). The runtime hints the
 * keys of a fetched batch; the prefetcher fetches their ids a little ahead of processing (at most
 * `concurrency` in flight, at most `ahead` started and not yet used), so a task no longer waits for
 * one GET per record in turn.
 *
 * `get(id)` gives exactly what a direct fetch would: a prefetched answer is only used when it
 * succeeded; a failed, skipped or missing one is fetched again directly, so a DFØ error reaches the
 * processor the same way as without read-ahead (and it parks or dead-letters as before). Except a
 * failure that `rethrow` accepts (DFØ unavailable after the client's own retries): get() throws it
 * as it is, so the processor parks the event without a second round of retries holding the task.
 * When read-ahead of two different ids fails within `pauseAfterFailureMs` (an outage, not one
 * person DFØ fails for), read-ahead pauses, so an outage does not multiply the calls to DFØ.
 */

type Outcome<T> = { ok: true; value: T } | { ok: false; error?: unknown };

export interface PrefetcherOptions<T> {
  fetch: (id: string) => Promise<T>;
  /** Checked just before an id's read-ahead starts: false skips it (e.g. already in the store). */
  wanted?: (id: string) => boolean | Promise<boolean>;
  /** Read-aheads in flight at once (default 16). */
  concurrency?: number;
  /** Read-aheads started and not yet used, in flight or done (default 64). */
  ahead?: number;
  /** No read-ahead for this long after two ids failed within this long (default 10 s). */
  pauseAfterFailureMs?: number;
  /** A read-ahead failure this accepts is thrown by get() instead of fetching again. */
  rethrow?: (err: unknown) => boolean;
  clock?: () => number;
}

export class Prefetcher<T> {
  private readonly opts: Required<Omit<PrefetcherOptions<T>, 'wanted' | 'rethrow'>> & Pick<PrefetcherOptions<T>, 'wanted' | 'rethrow'>;
  /** Hinted ids not started yet, in processing order. */
  private queue: string[] = [];
  private head = 0;
  /** Started read-aheads not used yet, in processing order (Map keeps insertion order). */
  private readonly started = new Map<string, Promise<Outcome<T>>>();
  private running = 0;
  private pausedUntil = 0;
  private lastFailure: { id: string; at: number } | null = null;

  constructor(opts: PrefetcherOptions<T>) {
    this.opts = { concurrency: 16, ahead: 64, pauseAfterFailureMs: 10_000, clock: Date.now, ...opts };
  }

  /** The next records to process have these ids, in this order. Replaces any earlier hint. */
  hint(ids: readonly string[]): void {
    this.started.clear(); // left from an earlier batch: processing moved past them
    this.queue = [];
    this.head = 0;
    if (this.opts.clock() < this.pausedUntil) return;
    const seen = new Set<string>();
    for (const id of ids) if (!seen.has(id)) { seen.add(id); this.queue.push(id); }
    this.pump();
  }

  /** The answer for `id`: the read-ahead's when it succeeded (or failed as `rethrow` accepts), else a direct fetch. */
  async get(id: string): Promise<T> {
    const pre = this.take(id);
    if (pre) {
      const o = await pre;
      if (o.ok) return o.value;
      if ('error' in o && this.opts.rethrow?.(o.error)) throw o.error;
    }
    return this.opts.fetch(id);
  }

  /** Read-aheads started and not used (for tests). */
  get pending(): number {
    return this.started.size + this.queue.length - this.head;
  }

  private take(id: string): Promise<Outcome<T>> | undefined {
    const p = this.started.get(id);
    if (p) {
      // Hinted before `id` and not used: their records were processed without a fetch (or skipped).
      for (const k of this.started.keys()) { if (k === id) break; this.started.delete(k); }
      this.started.delete(id);
    } else {
      const at = this.queue.indexOf(id, this.head);
      if (at >= 0) { // processing caught up with read-ahead: what came before is of no use now
        this.started.clear();
        this.head = at + 1;
      }
    }
    this.pump();
    return p;
  }

  private pump(): void {
    while (this.head < this.queue.length && this.running < this.opts.concurrency && this.started.size < this.opts.ahead) {
      if (this.opts.clock() < this.pausedUntil) { this.queue = []; this.head = 0; return; }
      const id = this.queue[this.head++]!;
      this.running++;
      const p = this.start(id).finally(() => { this.running--; this.pump(); });
      this.started.set(id, p);
    }
    if (this.head > 0 && this.head === this.queue.length) { this.queue = []; this.head = 0; }
  }

  private async start(id: string): Promise<Outcome<T>> {
    try {
      if (this.opts.wanted && !(await this.opts.wanted(id))) return { ok: false };
      return { ok: true, value: await this.opts.fetch(id) };
    } catch (error) {
      const now = this.opts.clock();
      const last = this.lastFailure;
      if (last && last.id !== id && now - last.at < this.opts.pauseAfterFailureMs) this.pausedUntil = now + this.opts.pauseAfterFailureMs;
      this.lastFailure = { id, at: now };
      return { ok: false, error };
    }
  }
}
