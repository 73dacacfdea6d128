/**
 * The publisher input over HTTP (README "Publishers"), on its own port (IGA_PUBLISH_PORT):
 *   POST /publish/{publisher}/profiles   one profile (JSON object, or a compact JWS string) or a batch (a JSON array)
 *   GET  /publish/schemas                each publisher's profile schema as JSON Schema (no token)
 *   GET  /.well-known/iga-stream         policy version, authority rules, publishers, schemas and public keys (no token)
 * A publisher authenticates with its own bearer token (IGA_PUBLISH_TOKENS / _FILE, `name:token`
 * with the publisher's name) and may publish only as itself. 201 comes only after every profile of
 * the request is on the raw profile topic (acks from every in-sync replica); the answer lists each
 * profile's message id (`X-Message-Id` as given, `<id>#<index>` in a batch, a UUID when none was
 * given), which `GET /changes?messageId=` follows. Whether a profile is valid is decided after, on
 * the stream, and shows there. A body that cannot be stored is refused whole (400, 413, 415).
 */
import type { IncomingMessage } from 'node:http';
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { listenHttp, type ListeningServer } from '../../src/common/httpListen.ts';
import type { Logger } from '../../src/common/log.ts';
import type { JsonLimits } from '../../src/common/jsonLimits.ts';
import type { TokenRegistry } from '../../src/common/tokenRegistry.ts';
import { discardUnreadBody } from '../../src/common/unreadBody.ts';
import { PUBLISHER_NAME, type PublishersConfig } from '../../src/topology/contracts/publishers.ts';
import type { DurableProducer } from './durableProducer.ts';
import { publisherSchemas, wellKnownDocument } from './discovery.ts';
import { publishedProfiles } from './metrics.ts';
import { profileRecords } from './records.ts';

class Refusal extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export interface PublishHttpOptions {
  publishers: PublishersConfig;
  tokens: Pick<TokenRegistry, 'authenticate'>;
  producer: DurableProducer;
  rawTopic: string;
  limits: JsonLimits;
  /** Largest record Kafka takes on the raw profile topic. */
  maxRecordBytes: number;
  /** How long a request waits for an unavailable Kafka before it answers 503 (default 10 s). */
  kafkaDeadlineMs?: number;
  log: Logger;
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="iga-stream-publish"' };

/** Reads the body up to `max` bytes; more is a 413 without reading the rest. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new Refusal(413, `body of ${declared} bytes, more than the limit of ${max}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Refusal(413, `body of more than ${max} bytes, the limit`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createPublishApp(opts: PublishHttpOptions): Koa {
  const metric = publishedProfiles();
  const router = new Router();
  router.get('/.well-known/iga-stream', (ctx) => {
    ctx.body = wellKnownDocument(opts.publishers);
  });
  router.get('/publish/schemas', (ctx) => {
    ctx.body = { policyVersion: opts.publishers.version, publishers: publisherSchemas(opts.publishers) };
  });
  router.post('/publish/:publisher/profiles', async (ctx) => {
    const publisher = ctx.params.publisher!;
    const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1];
    if (!bearer) throw new Refusal(401, 'Authentication required: send Authorization: Bearer <publisher token>', CHALLENGE);
    const client = opts.tokens.authenticate(bearer);
    if (!client) throw new Refusal(401, 'Invalid token', CHALLENGE);
    if (!PUBLISHER_NAME.test(publisher) || !opts.publishers.publishers.has(publisher)) throw new Refusal(404, `no publisher ${JSON.stringify(publisher.slice(0, 40))} is configured`);
    if (client !== publisher) throw new Refusal(403, `this token is ${client}'s; it may publish only as ${client}`);
    const type = ctx.get('Content-Type').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !type.endsWith('+json')) throw new Refusal(415, 'send Content-Type: application/json');
    const body = await readBody(ctx.req, opts.limits.maxBytes);
    const messageId = ctx.get('X-Message-Id') || null;
    const built = profileRecords(body, {
      publisher, transport: 'http', exchange: null, routingKey: null, contentType: type, messageId, receivedAt: new Date().toISOString(),
    }, { limits: opts.limits, maxRecordBytes: opts.maxRecordBytes });
    if (!built.ok) throw new Refusal(built.tooLarge ? 413 : 400, built.reason);
    const sent = await opts.producer.send(opts.rawTopic, built.records.map((r) => r.message), { deadlineMs: opts.kafkaDeadlineMs ?? 10_000 });
    if (!sent.ok) {
      metric.inc({ publisher, transport: 'http', outcome: 'refused' }, built.records.length);
      if (sent.kind === 'refused') throw new Refusal(413, sent.reason);
      throw new Refusal(503, sent.reason, { 'Retry-After': '5' });
    }
    metric.inc({ publisher, transport: 'http', outcome: 'accepted' }, built.records.length);
    ctx.status = 201;
    ctx.body = {
      publisher, accepted: built.records.map((r) => ({ messageId: r.messageId, status: `/changes?messageId=${encodeURIComponent(r.messageId)}` })),
      policyVersion: opts.publishers.version,
    };
  });

  const errors: Middleware = async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new Refusal(404, `No endpoint ${ctx.method} ${ctx.path.slice(0, 80)}`);
    } catch (err) {
      const known = err instanceof Refusal;
      if (!known) opts.log.error({ err, path: ctx.path }, 'publish request failed');
      else if (err.status >= 500) opts.log.warn({ status: err.status, reason: err.message }, 'publish request refused');
      if (known) for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
      ctx.status = known ? err.status : 500;
      ctx.body = { error: known ? err.message : 'Internal error', status: ctx.status };
    }
  };
  const app = new Koa();
  app.silent = true;
  app.use(discardUnreadBody());
  app.use(errors);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: false }));
  return app;
}

export async function startPublishServer(opts: PublishHttpOptions & { port: number; host: string }): Promise<ListeningServer> {
  return listenHttp(createPublishApp(opts), { port: opts.port, host: opts.host, requestTimeoutMs: 30_000 });
}
