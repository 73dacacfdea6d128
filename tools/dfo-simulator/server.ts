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
import { osloToday, systemClock } from '../../src/iga/clock.ts';
import { componentLogger } from '../../src/common/log.ts';
import { padId, requireDfoId } from '../../connectors/dfo/ids.ts';
import { serveControl } from './controlRoutes.ts';
import type { University } from './dataset.ts';
import { serveDfo, gateway404 } from './dfoRoutes.ts';
import type { Faults } from './faults.ts';
import { NotificationPublisher, type PublishProps } from './publisher.ts';
import type { Quirks } from './quirks.ts';
import { SimState, type RawObject, type Resource } from './state.ts';
import type { ChangeOpts, DfoSimulator, DfoSimulatorOptions, PublishOptions } from './api.ts';

const log = componentLogger('dfo-simulator');

export type { DfoSimulator, DfoSimulatorOptions, PublishOptions } from './api.ts';

/** Starts the simulator; resolves once it listens. */
export async function startDfoSimulator(options: DfoSimulatorOptions = {}): Promise<DfoSimulator> {
  const prefix = `/${(options.pathPrefix ?? '/dfo').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const state = new SimState(options.seed ?? 1);
  if (options.quirks) state.setQuirks(options.quirks);
  for (const raw of options.dataset?.employees ?? []) state.upsert('ansatte', raw);
  for (const raw of options.dataset?.positions ?? []) state.upsert('stillinger', raw);
  const publisher = options.amqp ? new NotificationPublisher(options.amqp) : null;
  const today = options.today ?? (() => osloToday(systemClock));
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
      await changed('ansatte', requireDfoId(id), opts);
      return removed;
    },
    async removePosition(id, opts) {
      const removed = state.remove('stillinger', id);
      await changed('stillinger', requireDfoId(id), opts);
      return removed;
    },
    getEmployee: (id) => state.get('ansatte', id),
    getPosition: (id) => state.get('stillinger', id),
    setFaults: (faults) => state.faults.set(faults),
    setQuirks: (quirks) => state.setQuirks(quirks),
    requestCount: (resource, id) => state.requestCount(resource, id),
    stats: () => ({
      requests: { ansatte: state.requestCount('ansatte'), stillinger: state.requestCount('stillinger') },
      employees: state.size('ansatte'),
      positions: state.size('stillinger'),
    }),
    async publish(kind, id, opts = {}) {
      const pub = requirePublisher();
      // Field order and spelling exactly as DFØ's messages: firmakode, gyldigEtter (YYYYMMDD), id (zero-padded), uri.
      const body = JSON.stringify({
        firmakode: opts.firmakode ?? '9900',
        gyldigEtter: opts.gyldigEtter ?? today().replaceAll('-', ''),
        id: opts.padId === false ? requireDfoId(id) : padId(String(id)),
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
