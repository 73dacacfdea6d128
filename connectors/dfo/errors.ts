/**
 * The DFØ layer's error tree. Every error says whether trying again later can help (`retriable`),
 * KafkaJS style: retry and park logic reads the flag, never the message.
 *
 * - SourceUnavailable: DFØ or the gateway could not answer (timeouts, 429, 5xx, network, a 404 that is
 *   not DFØ's). Retriable: the caller parks the work and tries again later; nothing is dropped.
 * - SourceInvalid: DFØ answered, but the data does not make sense. Not retriable: park / DLQ with the reason.
 * - SourceRequestRejected: DFØ refused the request (400/401/403 ...): configuration or credentials.
 * - InvalidDfoId: an id that is not a DFØ id (digits only) was given to us.
 */

/** Base class of every DFØ error. */
export class DfoError extends Error {
  readonly retriable: boolean;
  constructor(message: string, retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DfoError';
    this.retriable = retriable;
  }
}

/** DFØ could not be reached or did not answer usefully; retry later. */
export class SourceUnavailable extends DfoError {
  /** HTTP status of the last attempt; null for network errors and timeouts. */
  readonly status: number | null;
  /** How long DFØ asked us to wait (Retry-After), in ms; null when it did not say. */
  readonly retryAfterMs: number | null;
  constructor(message: string, opts: { status?: number | null; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, true, { cause: opts.cause });
    this.name = 'SourceUnavailable';
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

/** DFØ answered with data that fails validation. `field` names the offending path. */
export class SourceInvalid extends DfoError {
  readonly field: string;
  constructor(message: string, field: string, options?: { cause?: unknown }) {
    super(message, false, options);
    this.name = 'SourceInvalid';
    this.field = field;
  }
}

/** DFØ or the gateway refused the request itself (bad request, bad or missing credentials). */
export class SourceRequestRejected extends DfoError {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message, false);
    this.name = 'SourceRequestRejected';
    this.status = status;
  }
}

/** A value that should be a DFØ id (decimal digits) is not. */
export class InvalidDfoId extends DfoError {
  readonly value: string;
  constructor(value: string) {
    super(`not a DFØ id (digits only): ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`, false);
    this.name = 'InvalidDfoId';
    this.value = value;
  }
}
