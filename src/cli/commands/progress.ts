/**
 * Progress of a long command on stderr. On a terminal: one line redrawn in place with a bar, the
 * rate and an estimate of the time left (log lines are printed above it, see src/terminalStatus.ts).
 * Elsewhere (CI, logs): a plain line every few seconds and on completion, so progress is visible
 * without control characters.
 */
import { terminalStatus } from '../../common/terminalStatus.ts';

export interface ProgressOptions {
  /** What is counted, e.g. "records". */
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Minimum time between plain-text lines when not on a terminal. Default 2000 ms. */
  plainEveryMs?: number;
}

export class Progress {
  private readonly label: string;
  private total: number | null;
  private readonly unit: string;
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly plainEveryMs: number;
  private readonly started = Date.now();
  private lastDraw = 0;
  private done = 0;
  private finished = false;

  constructor(label: string, total: number | null, opts: ProgressOptions = {}) {
    this.label = label;
    this.total = total;
    this.unit = opts.unit ?? 'items';
    this.out = opts.stream ?? process.stderr;
    this.tty = Boolean(this.out.isTTY) && !process.env.CI;
    this.plainEveryMs = opts.plainEveryMs ?? 2000;
  }

  /** Sets the count done so far (and the total when it became known or changed). */
  update(done: number, total: number | null = this.total, note = ''): void {
    this.done = done;
    this.total = total;
    const now = Date.now();
    if (this.tty ? now - this.lastDraw < 100 : now - this.lastDraw < this.plainEveryMs) return;
    this.lastDraw = now;
    this.draw(note);
  }

  /** Draws the final state and a newline. */
  finish(note = ''): void {
    if (this.finished) return;
    this.finished = true;
    if (this.total !== null) this.done = Math.max(this.done, this.total);
    this.draw(note);
    if (this.tty) terminalStatus.done();
  }

  private draw(note: string): void {
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const parts = [`${this.label}: ${fmt(this.done)}${this.total !== null ? `/${fmt(this.total)}` : ''} ${this.unit}`];
    if (this.total !== null && this.total > 0) {
      const share = Math.min(1, this.done / this.total);
      if (this.tty) parts.unshift(`[${'#'.repeat(Math.round(share * 24)).padEnd(24, '.')}]`);
      parts.push(`${(share * 100).toFixed(1)}%`);
      if (rate > 0 && share < 1) parts.push(`~${Math.ceil((this.total - this.done) / rate)} s left`);
    }
    parts.push(`${fmt(Math.round(rate))}/s`, `${secs.toFixed(1)} s`);
    if (note) parts.push(note);
    const line = parts.join('  ');
    if (this.tty) terminalStatus.show(line, this.out);
    else this.out.write(`${line}\n`);
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
