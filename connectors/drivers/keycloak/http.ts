/**
 * The Keycloak driver's HTTP transport (node:http/https): one keep-alive agent per Keycloak (with
 * the CA file's certificates for https), a connect deadline and a whole-answer deadline per
 * request. Errors it throws are transport errors only (no answer); any HTTP status is an answer.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';

export interface HttpAnswer {
  status: number;
  text: string;
  header(name: string): string | null;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** No (complete) answer: refused, reset, unresolvable, TLS failure, or a deadline passed. `code` is Node's (ECONNREFUSED, …) or ours (ETIMEDOUT, ECONNECTTIMEOUT). */
export class HttpTransportError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpTransportError';
    this.code = code;
  }
}

export interface HttpTransportOptions {
  /** PEM file of the CA(s) to trust for https (replaces the system's CAs); read once, here. */
  caFile: string | null;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Sockets per Keycloak (default 8; the driver sends one request at a time per partition). */
  maxSockets?: number;
}

const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);

export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly options: HttpTransportOptions;

  constructor(baseUrl: string, options: HttpTransportOptions) {
    this.options = options;
    const maxSockets = options.maxSockets ?? 8;
    if (baseUrl.startsWith('https:')) {
      let ca: Buffer | undefined;
      if (options.caFile !== null) {
        try {
          ca = readFileSync(options.caFile);
        } catch (err) {
          throw new Error(`cannot read the Keycloak CA file ${options.caFile}: ${(err as Error).message}`, { cause: err });
        }
      }
      this.agent = new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ...(ca ? { ca } : {}) });
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    }
  }

  /**
   * Sends one request. An idempotent request that failed on a reused keep-alive socket (the server
   * closed it while idle) is sent once more on a fresh one: that failure says nothing about Keycloak.
   */
  async request(req: HttpRequest): Promise<HttpAnswer> {
    try {
      return await this.once(req);
    } catch (err) {
      if (err instanceof StaleSocketError && IDEMPOTENT.has(req.method)) return this.once(req);
      throw err instanceof StaleSocketError ? err.transportError : err;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private once(req: HttpRequest): Promise<HttpAnswer> {
    const u = new URL(req.url);
    const lib = u.protocol === 'https:' ? https : http;
    const { timeoutMs, connectTimeoutMs } = this.options;
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const headers = { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
    return new Promise((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(connectTimer);
        fn();
      };
      const r = lib.request(u, { method: req.method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => finish(() => reject(new HttpTransportError(`${req.method} ${u.pathname}: the answer broke off (${err.message})`, 'EANSWERABORTED', { cause: err }))));
        res.on('end', () => finish(() => {
          const h = res.headers;
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            header: (n) => { const v = h[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; },
          });
        }));
      });
      const timer = setTimeout(() => {
        finish(() => reject(new HttpTransportError(`${req.method} ${u.pathname}: no complete answer within ${timeoutMs} ms`, 'ETIMEDOUT')));
        r.destroy();
      }, timeoutMs);
      r.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          finish(() => reject(new HttpTransportError(`${req.method} ${u.host}: no connection within ${connectTimeoutMs} ms`, 'ECONNECTTIMEOUT')));
          r.destroy();
        }, connectTimeoutMs);
        socket.once(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      r.on('error', (err: NodeJS.ErrnoException) => finish(() => {
        const code = err.code ?? 'EREQUEST';
        const transportError = new HttpTransportError(`${req.method} ${u.host}${u.pathname}: ${err.message}`, code, { cause: err });
        reject(r.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') ? new StaleSocketError(transportError) : transportError);
      }));
      r.end(body);
    });
  }
}

/** A reused keep-alive socket that the server had closed: internal, retried once by `request`. */
class StaleSocketError extends Error {
  readonly transportError: HttpTransportError;
  constructor(transportError: HttpTransportError) {
    super(transportError.message);
    this.transportError = transportError;
  }
}
