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

/**
 * The project's one retriable-error policy (runtime, processors, connectors): true when `err` says
 * it may succeed later (`retriable: true`). An error with no verdict of its own defers to its
 * `cause`, and so does KafkaJS's retries-exhausted wrapper (it marks itself non-retriable, but what
 * happened is its cause: a lost connection is still worth retrying later). Anything else, unknown
 * errors included, is not retriable: the runtime dead-letters the record with the reason instead of
 * retrying it forever.
 */
export function isRetriable(err: unknown): boolean {
  let e = err as { retriable?: unknown; cause?: unknown; name?: unknown } | null | undefined;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    if (e.retriable === true) return true;
    const defers = e.retriable === undefined || e.name === 'KafkaJSNumberOfRetriesExceeded';
    if (!defers) return false;
    e = e.cause as typeof e;
  }
  return false;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
