/**
 * DFØ REST client: HTTP only. It builds URLs, sends the headers, retries
 * what can be retried and tells "gone" from "unavailable". It does not look inside the data: the
 * datasource validates and maps.
 *
 * Endpoints: `{base}/{employeePath}/{id}`, `{base}/{positionPath}/{id}` and the
 * collection endpoints without an id. Point in time: request header `dato: YYYY-MM-DD`.
 * Status handling: 2xx → JSON body; 404 with `{"standard":{"faultText":"IKKE ANSATT…"}}`
 * (employees) or `"UBESATT STILLING…"` (positions) → gone; any other 404 → routing error
 * (SourceUnavailable, not retried here); 408/425/429/5xx, timeouts and network errors → retried with
 * full-jitter backoff, honouring Retry-After, then SourceUnavailable; other 4xx → SourceRequestRejected.
 * Whether DFØ answers is reported to dependency health (./health.ts), which logs an outage once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { componentLogger, type Logger } from '../../src/common/log.ts';
import { SourceInvalid, SourceRequestRejected, SourceUnavailable } from './errors.ts';
import { checkJsonLimits, type JsonLimits } from '../../src/common/jsonLimits.ts';
import { httpGet, HttpResponseTooLargeError, type HttpAnswer } from './httpGet.ts';
import { dfoHealth, isDfoOutage } from './health.ts';
import { requireDfoId } from './ids.ts';
import { observeAttempt, type DfoEndpoint, type DfoOutcome } from './metrics.ts';
import { DEFAULT_RETRY, backoffDelay, isRetriableStatus, parseRetryAfter, type RetryPolicy } from './retry.ts';

const defaultLog = componentLogger('dfo-client');

export interface DfoClientOptions {
  /** Gateway base URL, e.g. `https://gw-uib.intark.uh-it.no/lonn/v1` or the simulator's `url`. */
  baseUrl: string;
  /** API key; no auth header is sent when empty or absent. */
  apiKey?: string;
  /** Header that carries the key. Default `X-Gravitee-Api-Key`. */
  authHeader?: string;
  /** Default `ansatte`. */
  employeePath?: string;
  /** Default `stillinger`. */
  positionPath?: string;
  /** Per attempt, body included. Default 10 000 ms. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Limits on an answer for one employee or position (default DFO_OBJECT_LIMITS). */
  objectLimits?: JsonLimits;
  /** Limits on a collection answer (default DFO_COLLECTION_LIMITS). */
  collectionLimits?: JsonLimits;
  /** Default: the `dfo-client` component of the root logger. */
  logger?: Logger;
}

/**
 * An employee or a position is a few KiB of JSON. Their answers end up in audit records (with the
 * decision they caused), which must fit in one Kafka record, so anything far larger is refused as
 * invalid data instead of being carried along.
 */
export const DFO_OBJECT_LIMITS: JsonLimits = { maxBytes: 256 * 1024, maxDepth: 32, maxStringBytes: 16 * 1024, maxArrayItems: 5000, maxObjectKeys: 1000 };
/** The collections hold every employee or position of the institution (reconciliation reads them). */
export const DFO_COLLECTION_LIMITS: JsonLimits = { maxBytes: 1024 * 1024 * 1024, maxDepth: 32, maxStringBytes: 16 * 1024, maxArrayItems: 2_000_000, maxObjectKeys: 1000 };

/** What DFØ answered: a JSON body, or the fact that the object does not exist. */
export type DfoResponse = { kind: 'found'; body: unknown } | { kind: 'gone'; faultText: string };

/** Per call: `date` sets the `dato` header; `attempts` replaces the policy's attempts (1: a single quick try). */
export interface DfoCallOptions { date?: string; attempts?: number }

export interface DfoClient {
  /** GET one employee. Throws SourceUnavailable, SourceRequestRejected, SourceInvalid (non-JSON body), InvalidDfoId. */
  getEmployee(id: string | number, opts?: DfoCallOptions): Promise<DfoResponse>;
  /** GET one position; as getEmployee. A vacant or unknown position is `gone` ("UBESATT STILLING"). */
  getPosition(id: string | number, opts?: DfoCallOptions): Promise<DfoResponse>;
  /** GET every employee (collection endpoint); `gone` when DFØ says there are none. */
  listEmployees(opts?: { date?: string }): Promise<DfoResponse>;
  /** GET every position (collection endpoint). */
  listPositions(opts?: { date?: string }): Promise<DfoResponse>;
}

interface Target {
  endpoint: DfoEndpoint;
  url: string;
  /** faultText prefix that means "gone" on this endpoint. */
  goneFault: string;
  date: string | undefined;
  /** Attempts of this call (≥ 1). */
  attempts: number;
  limits: JsonLimits;
}

type Attempt = { done: DfoResponse } | { retry: SourceUnavailable };

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

/** Creates a client. Cheap; connections are pooled by httpGet's keep-alive agents. */
export function createDfoClient(options: DfoClientOptions): DfoClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const employeePath = trimSlashes(options.employeePath ?? 'ansatte');
  const positionPath = trimSlashes(options.positionPath ?? 'stillinger');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const authHeader = options.authHeader ?? 'X-Gravitee-Api-Key';
  const log = options.logger ?? defaultLog;

  function headers(date: string | undefined): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json' };
    if (options.apiKey) h[authHeader] = options.apiKey;
    if (date !== undefined) h['dato'] = date;
    return h;
  }

  async function attempt(t: Target): Promise<Attempt> {
    const started = performance.now();
    let outcome: DfoOutcome = 'network_error';
    try {
      let res: HttpAnswer;
      try {
        res = await httpGet(t.url, headers(t.date), timeoutMs, t.limits.maxBytes);
      } catch (err) {
        if (err instanceof HttpResponseTooLargeError) {
          outcome = 'invalid';
          throw new SourceInvalid(`DFØ ${t.url}: ${err.message}; refused`, '(body)', { cause: err });
        }
        const timedOut = (err as Error).name === 'TimeoutError';
        outcome = timedOut ? 'timeout' : 'network_error';
        const what = timedOut ? `no answer within ${timeoutMs} ms` : `network error (${describeCause(err)})`;
        return { retry: new SourceUnavailable(`DFØ ${t.url}: ${what}`, { cause: err }) };
      }
      const { status, text } = res;
      if (status >= 200 && status < 300) {
        outcome = 'ok';
        try {
          return { done: { kind: 'found', body: parseJson(res.bytes, text, t.url, t.limits) } };
        } catch (err) {
          outcome = 'invalid';
          throw err;
        }
      }
      if (status === 404) {
        const faultText = dfoFaultText(text);
        if (faultText !== null && faultText.trimStart().toUpperCase().startsWith(t.goneFault)) {
          outcome = 'gone';
          return { done: { kind: 'gone', faultText: faultText.trim() } };
        }
        outcome = 'routing_404';
        const detail = faultText === null ? 'without a DFØ fault body' : `with unexpected faultText ${JSON.stringify(faultText)}`;
        throw new SourceUnavailable(
          `DFØ ${t.url}: 404 ${detail} (server: ${res.header('server') ?? 'unknown'}); the gateway route or path is likely wrong`,
          { status },
        );
      }
      if (isRetriableStatus(status)) {
        outcome = status === 429 ? 'rate_limited' : 'server_error';
        const retryAfterMs = parseRetryAfter(res.header('retry-after'));
        return { retry: new SourceUnavailable(`DFØ ${t.url}: HTTP ${status}`, { status, retryAfterMs }) };
      }
      outcome = 'rejected';
      throw new SourceRequestRejected(`DFØ ${t.url}: HTTP ${status} ${text.slice(0, 200)}`.trim(), status);
    } finally {
      observeAttempt(t.endpoint, outcome, (performance.now() - started) / 1000);
    }
  }

  /** Tells dependency health that DFØ answered, or that it is down (logged once per outage, see ./health.ts). */
  async function reported(pending: Promise<Attempt>): Promise<Attempt> {
    try {
      const result = await pending;
      if ('done' in result) dfoHealth.success(log);
      else if (isDfoOutage(result.retry)) dfoHealth.failure(result.retry, log);
      return result;
    } catch (err) {
      if (err instanceof SourceUnavailable && isDfoOutage(err)) dfoHealth.failure(err, log); // a gateway 404
      throw err;
    }
  }

  async function request(t: Target): Promise<DfoResponse> {
    for (let n = 1; ; n++) {
      const result = await reported(attempt(t));
      if ('done' in result) return result.done;
      const err = result.retry;
      if (n >= t.attempts) {
        throw new SourceUnavailable(`${err.message} (gave up after ${n} attempts)`, carry(err));
      }
      const hinted = err.retryAfterMs;
      if (hinted !== null && hinted > policy.maxDelayMs) {
        throw new SourceUnavailable(`${err.message} (Retry-After ${hinted} ms exceeds ${policy.maxDelayMs} ms)`, carry(err));
      }
      const delay = Math.max(backoffDelay(n, policy), hinted ?? 0);
      log[isDfoOutage(err) ? 'debug' : 'warn']({ url: t.url, attempt: n, delayMs: delay, status: err.status }, 'DFØ request failed, retrying');
      await sleep(delay);
    }
  }

  const objectLimits = options.objectLimits ?? DFO_OBJECT_LIMITS;
  const collectionLimits = options.collectionLimits ?? DFO_COLLECTION_LIMITS;
  const target = (endpoint: DfoEndpoint, path: string, goneFault: string, opts: DfoCallOptions = {}): Target => {
    const { date, attempts = policy.attempts } = opts;
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new SourceRequestRejected(`dato must be YYYY-MM-DD, got ${JSON.stringify(date)}`, 0);
    }
    const limits = endpoint.endsWith('_list') ? collectionLimits : objectLimits;
    return { endpoint, url: `${base}/${path}`, goneFault, date, attempts: Math.max(1, Math.floor(attempts)), limits };
  };

  return {
    getEmployee: async (id, opts) => request(target('employee', `${employeePath}/${requireDfoId(id)}`, 'IKKE ANSATT', opts)),
    getPosition: async (id, opts) => request(target('position', `${positionPath}/${requireDfoId(id)}`, 'UBESATT STILLING', opts)),
    listEmployees: async (opts) => request(target('employee_list', employeePath, 'IKKE ANSATT', opts)),
    listPositions: async (opts) => request(target('position_list', positionPath, 'UBESATT STILLING', opts)),
  };
}

const carry = (err: SourceUnavailable) => ({ status: err.status, retryAfterMs: err.retryAfterMs, cause: err });

function parseJson(bytes: Buffer, text: string, url: string, limits: JsonLimits): unknown {
  const checked = checkJsonLimits(bytes, limits);
  if (!checked.ok) throw new SourceInvalid(`DFØ ${url}: response refused: ${checked.reason}`, '(body)');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SourceInvalid(`DFØ ${url}: response body is not JSON: ${JSON.stringify(text.slice(0, 80))}`, '(body)', { cause: err });
  }
}

/** `standard.faultText` of a DFØ error body, or null when the body is not one. */
function dfoFaultText(text: string): string | null {
  try {
    const body = JSON.parse(text) as { standard?: { faultText?: unknown } } | null;
    const fault = body?.standard?.faultText;
    return typeof fault === 'string' ? fault : null;
  } catch {
    return null;
  }
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
