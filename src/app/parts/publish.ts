/**
 * The publisher input as a part (connectors/publish): HTTP on IGA_PUBLISH_PORT and AMQP on
 * IGA_AMQP_EXCHANGE_PUBLISH, both writing the raw profile topic through one durable producer, with
 * the publishers' tokens (reloaded when the file changes). Runs only with a publishers file; the
 * validation step is part of the topology then (streams part).
 */
import { TokenRegistry } from '../../common/tokenRegistry.ts';
import { maxMessageBytes } from '../../runtime/kafka/maxMessageBytes.ts';
import { MAX_DEAD_LETTER_BODY_BYTES } from '../../topology/contracts/deadLetter.ts';
import { startDurableProducer } from '../../../connectors/publish/durableProducer.ts';
import { startPublishServer } from '../../../connectors/publish/http.ts';
import { startPublishAmqp } from '../../../connectors/publish/amqp.ts';
import { DEFAULT_PUBLISH_LIMITS } from '../../../connectors/publish/records.ts';
import type { Part, PartContext } from './part.ts';
import { valueEncoder, type TopicSerdes } from './schemaRegistry.ts';

/** Room left in a record for Kafka's batch header and our estimate's error (as the DFØ ingress). */
const BATCH_OVERHEAD_BYTES = 4096;

export async function publishPart(ctx: PartContext, serdes: TopicSerdes = new Map()): Promise<(Part & { url: string }) | null> {
  const { cfg } = ctx;
  const publishers = cfg.publish.publishers;
  if (!publishers) return null;
  const log = ctx.logOf('publish');
  const tokens = new TokenRegistry({ label: 'publish', tokens: cfg.publish.tokens, ...(cfg.publish.tokensFile ? { file: cfg.publish.tokensFile } : {}) });
  if (cfg.publish.tokensFile) tokens.watch();
  for (const name of tokens.clientNames) if (!publishers.publishers.has(name)) log.warn({ client: name }, 'a publish token names no configured publisher; it can publish nothing');
  const limits = { ...DEFAULT_PUBLISH_LIMITS, maxBytes: cfg.publish.maxBodyBytes };
  const closers: Array<() => Promise<void>> = [async () => tokens.close()];
  const close = async () => { for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => log.warn({ err: String(err) }, 'closing the publisher input failed')); };
  try {
    const producer = await startDurableProducer({ kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-publish` }, log });
    closers.push(() => producer.close());
    const kafkaMax = await maxMessageBytes(producer.kafka, [ctx.topics.profilesRaw, ctx.topics.dlq], log);
    const maxRecordBytes = kafkaMax - BATCH_OVERHEAD_BYTES;
    const server = await startPublishServer({
      publishers, tokens, producer, rawTopic: ctx.topics.profilesRaw, limits, maxRecordBytes, log, port: cfg.publish.port, host: cfg.publish.host,
    });
    closers.push(() => server.close());
    const amqp = await startPublishAmqp({
      amqpUrl: cfg.amqp.url, ...(cfg.amqp.tls ? { amqpTls: cfg.amqp.tls } : {}), connectionName: `${cfg.appId} publish ${ctx.instanceId}`,
      exchange: cfg.publish.exchange, queue: cfg.publish.queue, prefetch: cfg.amqp.prefetch, publishers, tokens, producer,
      rawTopic: ctx.topics.profilesRaw, dlqTopic: ctx.topics.dlq, encodeDeadLetter: valueEncoder(serdes, ctx.topics.dlq), limits, maxRecordBytes,
      deadLetterKeepBytes: Math.max(0, Math.min(MAX_DEAD_LETTER_BODY_BYTES, Math.floor((maxRecordBytes - 16 * 1024) * 0.75))), log,
    });
    // Stop taking AMQP messages before the server and the producer go.
    closers.push(() => amqp.stop());
    log.info({ url: server.url, exchange: cfg.publish.exchange, queue: cfg.publish.queue, publishers: [...publishers.publishers.keys()], policyVersion: publishers.version }, 'publisher input started');
    return { name: 'publish', url: server.url, close, ready: () => amqp.stats().connected, status: () => ({ url: server.url, policyVersion: publishers.version, amqp: amqp.stats() }) };
  } catch (err) {
    await close();
    throw err;
  }
}
