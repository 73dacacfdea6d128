/**
 * A real HTTP server playing DFØ behind an IntArk gateway, for the demo, integration tests and
 * benchmarks. DFØ endpoints live under `pathPrefix` (default `/dfo`), the operator's control API under
 * `/_sim/`. Change notifications go to RabbitMQ like DFØ's when `amqp` is configured.
 *
 * In-process API (tests, demo): upsert/remove/get objects, setFaults, setQuirks, requestCount,
 * publish (a DFØ notification) and publishRaw (any bytes, for malformed-message tests).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IsoDate } from '../../src/iga/model.ts';
import { componentLogger } from '../../src/log.ts';
import { normaliseId, padId } from '../dfo/ids.ts';
import { serveControl } from './controlRoutes.ts';
import type { University } from './dataset.ts';
import { serveDfo, gateway404 } from './dfoRoutes.ts';
import type { Faults } from './faults.ts';
import { NotificationPublisher, type PublishProps } from './publisher.ts';
import type { Quirks } from './quirks.ts';
import { SimState, type RawObject, type Resource } from './state.ts';

const log = componentLogger('dfo-simulator');

export interface DfoSimulatorOptions {
  port?: number;
  host?: string;
  pathPrefix?: string;
  /** When set, DFØ endpoints answer 401 unless `authHeader` carries this key. */
  apiKey?: string;
  authHeader?: string;
  dataset?: University;
  /** Enables publish(); without it publish() throws. */
  amqp?: { url: string; exchange?: string };
  /** Seed of the PRNG behind random quirks and faults. Default 1. */
  seed?: number;
  quirks?: Quirks;
  /** Clock for the default `gyldigEtter`; default today in Europe/Oslo. */
  today?: () => IsoDate;
}

export interface PublishOptions {
  /** `YYYYMMDD`; default today. */
  gyldigEtter?: string;
  /** Zero-pad the id to 8 digits as DFØ does (default true). */
  padId?: boolean;
  /** Default `9900` (DFØ's test company). */
  firmakode?: string;
  /** Default `application/octet-stream`, as DFØ sends it. */
  contentType?: string;
}

type ChangeOpts = { notify?: boolean };

export interface DfoSimulator {
  /** Base URL for the client, e.g. `http://127.0.0.1:PORT/dfo`. */
  readonly url: string;
  readonly port: number;
  /** Stores (or replaces) a raw `ansatt`; with notify, publishes an `ansatte` message and resolves after the broker confirm. */
  upsertEmployee(raw: RawObject, opts?: ChangeOpts & { quirks?: Quirks }): Promise<void>;
  upsertPosition(raw: RawObject, opts?: ChangeOpts & { quirks?: Quirks }): Promise<void>;
  /** Resolves true when something was removed. */
  removeEmployee(id: string | number, opts?: ChangeOpts): Promise<boolean>;
  removePosition(id: string | number, opts?: ChangeOpts): Promise<boolean>;
  /** The stored raw object (a copy), or undefined. */
  getEmployee(id: string | number): RawObject | undefined;
  getPosition(id: string | number): RawObject | undefined;
  /** Replaces the fault settings; `{}` clears. Throws a ZodError on bad input. */
  setFaults(faults: Faults): void;
  /** Replaces the quirks in force; `{}` serves objects as stored. */
  setQuirks(quirks: Quirks): void;
  /** DFØ requests received (all, or for one resource), faulty ones included. */
  requestCount(resource?: Resource): number;
  stats(): { requests: Record<Resource, number>; employees: number; positions: number };
  /** Publishes a DFØ notification; resolves after the broker confirm. Throws without `amqp`. */
  publish(kind: Resource, id: string | number, opts?: PublishOptions): Promise<{ messageId: string; routingKey: string; body: string }>;
  /** Publishes arbitrary bytes to the exchange (malformed-message tests). */
  publishRaw(routingKey: string, bytes: Buffer | string, props?: PublishProps): Promise<string>;
  close(): Promise<void>;
}

/** Starts the simulator; resolves once it listens. */
export async function startDfoSimulator(options: DfoSimulatorOptions = {}): Promise<DfoSimulator> {
  const prefix = `/${(options.pathPrefix ?? '/dfo').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const state = new SimState(options.seed ?? 1);
  if (options.quirks) state.setQuirks(options.quirks);
  for (const raw of options.dataset?.employees ?? []) state.upsert('ansatte', raw);
  for (const raw of options.dataset?.positions ?? []) state.upsert('stillinger', raw);
  const publisher = options.amqp ? new NotificationPublisher(options.amqp) : null;
  const today = options.today ?? osloToday;
  const held = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const routeOpts = {
    apiKey: options.apiKey,
    authHeader: options.authHeader ?? 'X-Gravitee-Api-Key',
    hold: (res: ServerResponse) => {
      held.add(res);
      res.on('close', () => held.delete(res));
    },
    delay: (ms: number) =>
      ms <= 0
        ? Promise.resolve(!closed)
        : new Promise<boolean>((resolve) => {
            const t = setTimeout(() => {
              timers.delete(t);
              resolve(!closed);
            }, ms);
            timers.add(t);
          }),
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const pathname = path.split('?')[0]!;
    const handled =
      pathname === '/_sim' || pathname.startsWith('/_sim/')
        ? serveControl(sim, req, res, path.slice('/_sim'.length) || '/')
        : pathname.startsWith(`${prefix}/`)
          ? serveDfo(state, routeOpts, req, res, pathname.slice(prefix.length))
          : Promise.resolve(gateway404(res));
    handled.catch((err: unknown) => {
      log.error({ err, path }, 'simulator request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  const requirePublisher = () => {
    if (!publisher) throw new Error('DFØ simulator started without amqp options; cannot publish');
    return publisher;
  };
  const changed = async (kind: Resource, id: string, opts: ChangeOpts | undefined) => {
    if (opts?.notify) await sim.publish(kind, id);
  };

  const sim: DfoSimulator = {
    url: `http://${host}:${port}${prefix}`,
    port,
    async upsertEmployee(raw, opts) {
      await changed('ansatte', state.upsert('ansatte', raw, opts?.quirks), opts);
    },
    async upsertPosition(raw, opts) {
      await changed('stillinger', state.upsert('stillinger', raw, opts?.quirks), opts);
    },
    async removeEmployee(id, opts) {
      const removed = state.remove('ansatte', id);
      await changed('ansatte', normaliseId(id), opts);
      return removed;
    },
    async removePosition(id, opts) {
      const removed = state.remove('stillinger', id);
      await changed('stillinger', normaliseId(id), opts);
      return removed;
    },
    getEmployee: (id) => state.get('ansatte', id),
    getPosition: (id) => state.get('stillinger', id),
    setFaults: (faults) => state.faults.set(faults),
    setQuirks: (quirks) => state.setQuirks(quirks),
    requestCount: (resource) => state.requestCount(resource),
    stats: () => ({
      requests: { ansatte: state.requestCount('ansatte'), stillinger: state.requestCount('stillinger') },
      employees: state.size('ansatte'),
      positions: state.size('stillinger'),
    }),
    async publish(kind, id, opts = {}) {
      const pub = requirePublisher();
      // Field order and spelling exactly as DFØ's messages (FORMATS.md §1.2).
      const body = JSON.stringify({
        firmakode: opts.firmakode ?? '9900',
        gyldigEtter: opts.gyldigEtter ?? today().replaceAll('-', ''),
        id: opts.padId === false ? normaliseId(id) : padId(String(id)),
        uri: `dfo:${kind}`,
      });
      const messageId = await pub.publish(kind, Buffer.from(body, 'utf8'), { contentType: opts.contentType ?? 'application/octet-stream' });
      return { messageId, routingKey: kind, body };
    },
    publishRaw: (routingKey, bytes, props) => requirePublisher().publish(routingKey, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), props),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await publisher?.close();
    },
  };
  log.info({ url: sim.url, employees: state.size('ansatte'), positions: state.size('stillinger') }, 'DFØ simulator listening');
  return sim;
}

/** Today's date in Europe/Oslo as YYYY-MM-DD. */
export function osloToday(): IsoDate {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(new Date());
}
