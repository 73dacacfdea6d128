/**
 * One HTTP(S) GET with a whole-response deadline, over keep-alive agents (node:http). The DFØ
 * client's transport: it costs about half the CPU of fetch() per request (measured against the
 * simulator: 122 vs 245 µs), which matters when an initial load makes ~100,000 calls.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  /** The body as received. */
  bytes: Buffer;
  /** The body as UTF-8 text. */
  text: string;
  header(name: string): string | null;
}

/** Thrown when the body grew past the caller's limit; the connection is cut, nothing more is read. */
export class HttpResponseTooLargeError extends Error {
  constructor(url: string, maxBytes: number) {
    super(`the answer from ${url} is larger than ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Thrown when no complete answer came within the deadline (name 'TimeoutError', like AbortSignal.timeout). */
export class HttpTimeoutError extends Error {
  constructor(url: string, ms: number) {
    super(`no complete answer from ${url} within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 32 }),
};

/**
 * GETs `url`; resolves with status, body and headers, or rejects with a network error (its `code`
 * as `cause.code`), HttpTimeoutError when headers and body took longer than `timeoutMs`, or
 * HttpResponseTooLargeError as soon as the body passes `maxBytes`.
 */
export function httpGet(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes = Number.POSITIVE_INFINITY): Promise<HttpAnswer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const agent = agents[u.protocol as keyof typeof agents];
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => { if (!settled) { settled = true; clearTimeout(timer); reject(err); } };
    const req = lib.get(u, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          fail(new HttpResponseTooLargeError(url, maxBytes));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('error', (err) => fail(Object.assign(new Error(`response aborted: ${err.message}`), { cause: err })));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const h = res.headers;
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes, text: bytes.toString('utf8'), header: (n) => { const v = h[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; } });
      });
    });
    const timer = setTimeout(() => { fail(new HttpTimeoutError(url, timeoutMs)); req.destroy(); }, timeoutMs);
    req.on('error', (err) => fail(Object.assign(new Error(`request failed: ${err.message}`), { cause: err })));
  });
}
