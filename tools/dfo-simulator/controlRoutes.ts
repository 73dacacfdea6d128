/**
 * Operator control API under `/_sim/` (curl-friendly; no auth: bind the simulator to loopback):
 *   PUT    /_sim/{ansatte|stillinger}/{id}[?notify=true]   body: raw DFØ object (id defaults to the path id)
 *   DELETE /_sim/{ansatte|stillinger}/{id}[?notify=true]
 *   GET    /_sim/{ansatte|stillinger}/{id}                 the stored raw object
 *   POST   /_sim/faults    body: Faults (replaces; {} clears)
 *   POST   /_sim/quirks    body: Quirks (replaces; {} clears)
 *   POST   /_sim/publish   body: {kind, id, gyldigEtter?, padId?, firmakode?, contentType?}
 *   GET    /_sim/stats     request and object counts
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import { faultsSchema } from './faults.ts';
import { HttpError, readJson, sendJson } from './http.ts';
import { quirksSchema } from './quirks.ts';
import type { DfoSimulator, PublishOptions } from './api.ts';
import type { Resource } from './state.ts';

const publishSchema = z.object({
  kind: z.enum(['ansatte', 'stillinger']),
  id: z.union([z.string(), z.number()]).transform(String),
  gyldigEtter: z.string().regex(/^\d{8}$/).optional(),
  padId: z.boolean().optional(),
  firmakode: z.string().optional(),
  contentType: z.string().optional(),
});

/** Serves one control request; `path` starts after `/_sim`. */
export async function serveControl(sim: DfoSimulator, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    const url = new URL(path, 'http://sim');
    const notify = url.searchParams.get('notify') === 'true';
    const m = /^\/(ansatte|stillinger)\/([^/]+)$/.exec(url.pathname);
    if (m) return await objectRoute(sim, req, res, m[1] as Resource, decodeURIComponent(m[2]!), notify);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /faults':
        sim.setFaults(parse(await readJson(req), (b) => faultsSchema.parse(b)));
        return sendJson(res, 204, null);
      case 'POST /quirks':
        sim.setQuirks(parse(await readJson(req), (b) => quirksSchema.parse(b)));
        return sendJson(res, 204, null);
      case 'POST /publish': {
        const { kind, id, ...opts } = parse(await readJson(req), (b) => publishSchema.parse(b));
        const sent = await sim.publish(kind, id, opts satisfies PublishOptions);
        return sendJson(res, 202, sent);
      }
      case 'GET /stats':
        return sendJson(res, 200, sim.stats());
    }
    throw new HttpError(404, `no control route ${route}`);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    sendJson(res, status, { error: (err as Error).message });
  }
}

async function objectRoute(sim: DfoSimulator, req: IncomingMessage, res: ServerResponse, kind: Resource, id: string, notify: boolean) {
  if (normaliseDfoId(id) === null) throw new HttpError(400, `not a DFØ id: ${id}`);
  const isEmployee = kind === 'ansatte';
  if (req.method === 'GET') {
    const raw = isEmployee ? sim.getEmployee(id) : sim.getPosition(id);
    return raw ? sendJson(res, 200, raw) : sendJson(res, 404, { error: `no ${kind} ${id}` });
  }
  if (req.method === 'DELETE') {
    const removed = await (isEmployee ? sim.removeEmployee(id, { notify }) : sim.removePosition(id, { notify }));
    return sendJson(res, removed ? 204 : 404, removed ? null : { error: `no ${kind} ${id}` });
  }
  if (req.method === 'PUT') {
    const body = await readJson(req);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
    const raw = { id, ...(body as Record<string, unknown>) };
    if (normaliseDfoId(raw.id) !== normaliseDfoId(id)) throw new HttpError(400, 'body id differs from path id');
    await (isEmployee ? sim.upsertEmployee(raw, { notify }) : sim.upsertPosition(raw, { notify }));
    return sendJson(res, 204, null);
  }
  throw new HttpError(405, `${req.method} not allowed here`);
}

/** Runs a validator; its failures become 400s. */
function parse<T>(body: unknown, validate: (b: unknown) => T): T {
  try {
    return validate(body);
  } catch (err) {
    throw new HttpError(400, err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message);
  }
}
