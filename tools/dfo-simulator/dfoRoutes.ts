/**
 * The DFØ side of the simulator: GET {prefix}/ansatte[/{id}] and {prefix}/stillinger[/{id}],
 * answered the way DFØ behind an IntArk gateway answers, including auth, injected faults and the
 * `dato` header. Collection endpoints always answer with a list (`{"ansatt":[…]}`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import { SAP_SERVER, sendJson } from './http.ts';
import type { Resource, SimState } from './state.ts';

export interface DfoRouteOptions {
  apiKey: string | undefined;
  authHeader: string;
  /** Called with responses held open by a timeout fault, so close() can end them. */
  hold(res: ServerResponse): void;
  /** Delays the answer by the configured latency; resolves false when the simulator closed meanwhile. */
  delay(ms: number): Promise<boolean>;
}

const WRAPPER: Record<Resource, string> = { ansatte: 'ansatt', stillinger: 'stilling' };
const NOT_FOUND: Record<Resource, string> = { ansatte: 'IKKE ANSATT', stillinger: 'UBESATT STILLING' };

/** Serves one DFØ request; `rest` is the path below the prefix, e.g. `/ansatte/00101926`. */
export async function serveDfo(
  state: SimState,
  opts: DfoRouteOptions,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
): Promise<void> {
  const m = /^\/(ansatte|stillinger)(?:\/([^/]+))?\/?$/.exec(rest);
  if (!m) return gateway404(res);
  const resource = m[1] as Resource;
  const rawId = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const id = rawId === undefined ? undefined : (normaliseDfoId(rawId) ?? undefined);
  state.countRequest(resource, id);
  if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method not allowed' }, { Allow: 'GET' });
  if (opts.apiKey && req.headers[opts.authHeader.toLowerCase()] !== opts.apiKey) {
    return sendJson(res, 401, { message: 'Unauthorized', http_status_code: 401 });
  }
  const fault = state.faults.decide(resource, id);
  if (fault.kind === 'timeout') return opts.hold(res);
  if (!(await opts.delay(state.faults.latencyMs))) return;
  switch (fault.kind) {
    case 'gateway404':
      return gateway404(res);
    case 'rateLimit':
      return sendJson(res, 429, { message: 'Rate limit exceeded', http_status_code: 429 }, { 'Retry-After': String(fault.retryAfterSeconds) });
    case 'serverError':
      return sendJson(res, fault.status, { message: 'Internal Server Error', http_status_code: fault.status });
  }

  const datoHeader = req.headers['dato'];
  const dato = typeof datoHeader === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(datoHeader) ? datoHeader : null;
  const key = WRAPPER[resource];
  if (rawId === undefined) {
    return sendJson(res, 200, { [key]: state.renderAll(resource, dato) }, { Server: SAP_SERVER });
  }
  if (id === undefined) {
    return sendJson(res, 400, { standard: { faultText: `UGYLDIG ID ${rawId}` } }, { Server: SAP_SERVER });
  }
  const rendered = state.render(resource, id, dato);
  if (!rendered) return sendJson(res, 404, { standard: { faultText: NOT_FOUND[resource] } }, { Server: SAP_SERVER });
  const body = { [key]: rendered.wrapInList ? [rendered.body] : rendered.body };
  return sendJson(res, 200, body, { Server: SAP_SERVER });
}

/** What a gateway answers for a route it does not know: 404, JSON, but no DFØ body and no SAP server. */
export function gateway404(res: ServerResponse): void {
  sendJson(res, 404, { message: 'No context-path matches the request URI.', http_status_code: 404 }, { Server: 'gravitee' });
}
