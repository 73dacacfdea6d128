/**
 * The runtime's error tree. `retriable` tells the runtime what to do with a processing failure:
 * retriable → abort the transaction, rewind and try again later; not retriable → dead-letter the
 * record with the reason and go on.
 */
export class StreamsError extends Error {
  readonly retriable: boolean;
  constructor(message: string, opts: { retriable: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.retriable = opts.retriable;
  }
}

/** Another instance took the task over (its producer fenced ours): close the task, do not retry. */
export class TaskMigratedError extends StreamsError {
  constructor(taskId: string, cause?: unknown) {
    super(`task ${taskId} was fenced by another instance`, { retriable: false, cause });
  }
}

/** True when `err` (or anything it wraps) says it may succeed later. */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
