/**
 * An HTTP proxy of a test's own in front of a real HTTP service (the local Keycloak): it passes
 * every request through until the test sets a fault for the paths that match — answer with a
 * status (503, 429, …) and a body, hold the request without ever answering (a hung server), or
 * pass it on after a delay (a slow server).
 * Faults apply to requests that arrive after they are set; `pass()` ends them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = { status: number; body?: string; headers?: Record<string, string> } | { delayMs: number } | 'hang';

export interface HttpFaultProxy {
  readonly url: string;
  /** Requests seen so far, as `METHOD path`. */
  readonly seen: string[];
  fail(fault: Fault, paths?: RegExp): void;
  pass(): void;
  close(): Promise<void>;
}

export async function startHttpFaultProxy(target: { host: string; port: number }): Promise<HttpFaultProxy> {
  let fault: { fault: Fault; paths: RegExp } | null = null;
  const seen: string[] = [];
  const held = new Set<http.ServerResponse>();
  const agent = new http.Agent({ keepAlive: true });
  function forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request({ ...target, agent, method: req.method, path: req.url, headers: { ...req.headers, host: `${target.host}:${target.port}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const f = fault && fault.paths.test(req.url ?? '') ? fault.fault : null;
    if (f === 'hang') {
      held.add(res);
      req.resume();
      return;
    }
    if (f && 'delayMs' in f) {
      req.pause();
      setTimeout(() => forward(req, res), f.delayMs);
      return;
    }
    if (f) {
      req.resume();
      res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers }).end(f.body ?? '');
      return;
    }
    forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    fail: (f, paths = /.*/) => { fault = { fault: f, paths }; },
    pass: () => { fault = null; },
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
