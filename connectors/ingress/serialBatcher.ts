/**
 * Collects items into batches and hands them, one batch at a time, to an async `run` — the
 * ingress's produce step. One batch at a time keeps per-key order; a batch starts when `maxBatch`
 * items wait or `windowMs` after the first one arrived. Whatever arrives while a batch runs is
 * taken by the next one, so nothing waits for a new arrival to be picked up.
 *
 * The state is two plain fields (`waiting`, `running`) changed in one place each, so "items wait
 * and nothing runs or is scheduled" cannot arise. (An earlier version kept the running drain as a
 * self-clearing promise; a drain that found nothing to do cleared the field before it was set,
 * the field then held a settled promise forever, and no batch ever ran again.)
 */

export interface SerialBatcherOptions<T> {
  maxBatch: number;
  windowMs: number;
  /** Handles one batch. Should not throw; if it does, `onError` gets the error and the batch is dropped from here. */
  run(batch: T[]): Promise<void>;
  onError(err: unknown, batch: T[]): void;
}

export class SerialBatcher<T> {
  private waiting: T[] = [];
  private running: T[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Set before the loop starts and cleared when it ends; `loop` is only for awaiting it. */
  private active = false;
  private loop: Promise<void> = Promise.resolve();

  private readonly opts: SerialBatcherOptions<T>;

  constructor(opts: SerialBatcherOptions<T>) {
    this.opts = opts;
  }

  push(item: T): void {
    this.waiting.push(item);
    if (this.active) return; // the loop takes it next
    if (this.waiting.length >= this.opts.maxBatch) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.opts.windowMs);
  }

  /** Removes waiting items that match (the batch in hand is not touched). */
  discard(match: (item: T) => boolean): void {
    this.waiting = this.waiting.filter((i) => !match(i));
  }

  /** Takes every waiting item out (they will not run). */
  takeWaiting(): T[] {
    return this.waiting.splice(0);
  }

  /** Runs batches until nothing waits; resolves when idle. */
  flush(): Promise<void> {
    this.start();
    return this.loop;
  }

  /** Items waiting or in the batch in hand. */
  get size(): number {
    return this.waiting.length + (this.running?.length ?? 0);
  }

  get waitingItems(): readonly T[] {
    return this.waiting;
  }

  get batchInHand(): readonly T[] | null {
    return this.running;
  }

  /** True when items wait but no batch runs and none is scheduled: must never be (the watchdog checks). */
  get stuck(): boolean {
    return this.waiting.length > 0 && !this.active && this.timer === null;
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.active || this.waiting.length === 0) return;
    this.active = true;
    this.loop = this.runAll();
  }

  private async runAll(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.opts.maxBatch);
        this.running = batch;
        try {
          await this.opts.run(batch);
        } catch (err) {
          this.opts.onError(err, batch);
        } finally {
          this.running = null;
        }
      }
    } finally {
      this.active = false;
    }
  }
}
