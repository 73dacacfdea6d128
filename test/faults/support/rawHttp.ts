/**
 * A deliberately naive HTTP/1.1 client over a TCP socket, for the SCIM fuzz: it sends exactly the
 * bytes it is given (any method, any request target, `..` segments and bad escapes kept, headers
 * of any size and content), so the fuzz reaches the server's own parser instead of being
 * normalised or refused by a well-behaved client first.
 */
import net from 'node:net';

export interface RawRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Announce this many more body bytes than are sent, then hang up (a client that goes away mid-body). */
  shortBy?: number;
}

export interface RawResponse {
  /** null when the server closed the connection without an HTTP answer. */
  status: number | null;
  /** Status line and headers as sent. */
  head: string;
  /** The body, de-chunked. */
  body: string;
  headers: Record<string, string>;
}

/** The bytes of `req` (always `Connection: close`, and a Content-Length that matches the body unless `shortBy`). */
export function encodeRequest(req: RawRequest, host: string): Buffer {
  const lines = [`${req.method} ${req.target} HTTP/1.1`, `Host: ${host}`, ...req.headers.map(([k, v]) => `${k}: ${v}`)];
  if (req.body) lines.push(`Content-Length: ${req.body.length + (req.shortBy ?? 0)}`);
  lines.push('Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), req.body ?? Buffer.alloc(0)]);
}

export function sendRaw(port: number, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer within ${timeoutMs} ms`)); }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    // The server may close while we still write (a refused huge header); what it answered still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    });
    socket.on('connect', () => socket.end(encodeRequest(req, `127.0.0.1:${port}`)));
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = end < 0 ? Buffer.alloc(0) : raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: status ? Number(status[1]) : null, head, body: body.toString('utf8'), headers };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(b.subarray(i, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
