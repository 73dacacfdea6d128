/**
 * The whole service in one process: RabbitMQ ingress → stream topology on Kafka → account replica
 * + SCIM API, and notify egress to RabbitMQ, plus the admin endpoints. `startService` is what the
 * `run` command and the end-to-end tests call; `close()` stops the parts in reverse order.
 */
import { createDfoSource, type DfoSource } from '../../connectors/dfo/index.ts';
import { startEgress, type EgressStats } from '../../connectors/rabbitmq/egress.ts';
import { startIngress, type IngressStats } from '../../connectors/rabbitmq/ingress.ts';
import { topicNames, type Config } from '../config.ts';
import type { Policy } from '../iga/policy.ts';
import type { Account } from '../iga/model.ts';
import { componentLogger, rootLogger, type Logger } from '../log.ts';
import { TokenRegistry } from '../auth/tokenRegistry.ts';
import { startAdminServer, type AdminRoutes } from '../admin/index.ts';
import { AccountIndex, startScimServer } from '../scim/index.ts';
import { GlobalTable, StreamsApp } from '../streams/index.ts';
import { buildIgaTopology } from '../topology/topology.ts';
import { startExplainReplicas, type ExplainReplicas } from '../explain/replicas.ts';
import { explainRoutes } from '../explain/routes.ts';
import { startBrakeAdmin } from '../brake/brakeAdmin.ts';
import { brakeRoutes } from '../brake/routes.ts';
import { registerKafkaSecurity } from '../kafkaSecurity.ts';
import { statusRoutes } from '../status/routes.ts';
import { startReconcile, type Reconciler, type RunAuditRecord } from '../reconcile/index.ts';
import { replayRoutes } from '../replay/routes.ts';

export interface ServiceOptions {
  config: Config;
  policy: Policy;
  /** Wall clock for every "today"; tests inject a manual clock. */
  clock?: () => number;
  /** Defaults to the DFØ REST client configured by `config.dfo`. */
  dfo?: DfoSource;
  instanceId?: string;
  /** Skip parts (tests that bring their own). */
  without?: Array<'ingress' | 'egress' | 'scim' | 'admin'>;
  log?: Logger;
}

export interface RunningService {
  streams: StreamsApp;
  index: AccountIndex;
  scimUrl: string | null;
  adminUrl: string | null;
  /** Resolves once the account replica has caught up. */
  ready: Promise<void>;
  /** The replicas behind explain/upcoming (null without the admin API). */
  explain: ExplainReplicas | null;
  /** Reconciliation against DFØ's collections (null without the admin API). */
  reconciler: Reconciler | null;
  close(): Promise<void>;
}

export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const { config: cfg } = opts;
  // Each part logs with its own `component` on top of this base (pino repeats a key bound twice).
  const base = (opts.log ?? rootLogger).child({ instance: opts.instanceId ?? String(process.pid) });
  const log = componentLogger('service', base);
  const logOf = (component: string) => componentLogger(component, base);
  const topics = topicNames(cfg.appId);
  const skip = new Set(opts.without ?? []);
  const closers: Array<() => Promise<void>> = [];
  // Every Kafka client of this service (runtime, replicas, connectors, operations) connects with these.
  registerKafkaSecurity(cfg.kafkaBrokers, cfg.kafkaSecurity);
  if (cfg.kafkaSecurity.sasl?.mechanism === 'plain' && !cfg.kafkaSecurity.tls) {
    log.warn('SASL PLAIN without TLS sends the Kafka password in clear text; set IGA_KAFKA_SSL=true (or use SCRAM)');
  }
  log.info({ brokers: cfg.kafkaBrokers, tls: cfg.kafkaSecurity.tls !== null, sasl: cfg.kafkaSecurity.sasl?.mechanism ?? null }, 'Kafka connection');
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err) => log.error({ err: String(err) }, 'error while stopping'));
  };
  try {
    const dfo = opts.dfo ?? createDfoSource({
      baseUrl: cfg.dfo.baseUrl, apiKey: cfg.dfo.apiKey, authHeader: cfg.dfo.authHeader, employeePath: cfg.dfo.employeePath,
      positionPath: cfg.dfo.positionPath, timeoutMs: cfg.dfo.timeoutMs, retry: { attempts: cfg.dfo.retryAttempts, baseDelayMs: 200, maxDelayMs: 5000 },
    }, { ignoreTestNins: opts.policy.ignoreTestNins });
    const topology = buildIgaTopology({
      appId: cfg.appId, dfo, policy: opts.policy, emailDomain: cfg.emailDomain, resourceUriPrefix: cfg.scim.resourceUriPrefix,
      punctuateIntervalMs: cfg.punctuateIntervalMs, parkRetryMs: cfg.dfo.parkRetryMs,
      brake: cfg.brake,
    });
    const streams = new StreamsApp({
      appId: cfg.appId, brokers: cfg.kafkaBrokers, topology, stateDir: cfg.stateDir, partitions: cfg.partitions,
      deadLetterTopic: topics.dlq, commitIntervalMs: cfg.commitIntervalMs, ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.instanceId ? { instanceId: opts.instanceId } : {}), log: base,
      sessionTimeoutMs: cfg.kafkaSessionTimeoutMs, processingGuarantee: cfg.processingGuarantee,
    });
    await streams.start();
    closers.push(() => streams.close());

    const index = new AccountIndex();
    const accounts = new GlobalTable({
      brokers: cfg.kafkaBrokers, topic: topics.accounts, clientId: `${cfg.appId}-accounts-replica`, log: logOf('account-replica'),
      onRecord: (key, value) => (value === null ? index.remove(key) : index.upsert(JSON.parse(value.toString('utf8')) as Account)),
    });
    await accounts.start();
    closers.push(() => accounts.close());
    let replicaReady = false;
    const ready = accounts.ready.then(() => { replicaReady = true; log.info({ accounts: index.size }, 'account replica caught up'); });

    const startedAt = Date.now();
    // The connectors' counters (null when a part is skipped); readiness reads the ingress's `connected`.
    let ingressStats: () => IngressStats | null = () => null;
    let egressStats: () => EgressStats | null = () => null;
    if (!skip.has('ingress')) {
      const ingress = await startIngress({
        amqpUrl: cfg.amqp.url, ...(cfg.amqp.tls ? { amqpTls: cfg.amqp.tls } : {}), exchange: cfg.amqp.exchangeIn, queue: cfg.amqp.queueIn, routingKeys: cfg.amqp.routingKeysIn,
        prefetch: cfg.amqp.prefetch, logger: logOf('ingress'), kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-ingress` }, rawTopic: topics.raw, dlqTopic: topics.dlq,
      });
      ingressStats = () => ingress.stats();
      closers.push(() => ingress.stop());
    }
    if (!skip.has('egress')) {
      const egress = await startEgress({
        amqpUrl: cfg.amqp.url, ...(cfg.amqp.tls ? { amqpTls: cfg.amqp.tls } : {}), exchange: cfg.amqp.exchangeOut, logger: logOf('egress'), routingKey: cfg.amqp.routingKeyOut,
        kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-egress`, groupId: `${cfg.appId}.egress`, sessionTimeoutMs: cfg.kafkaSessionTimeoutMs }, notifyTopic: topics.notify, dlqTopic: topics.dlq,
      });
      closers.push(() => egress.stop());
      egressStats = () => egress.stats();
    }
    let scimUrl: string | null = null;
    if (!skip.has('scim')) {
      const tokens = new TokenRegistry({ tokens: cfg.scim.tokens, ...(cfg.scim.tokensFile ? { file: cfg.scim.tokensFile } : {}) });
      // Revocation without restart: the token file is re-read when it changes and on SIGHUP.
      if (cfg.scim.tokensFile) tokens.watch();
      const scim = await startScimServer({ index, resourceUriPrefix: cfg.scim.resourceUriPrefix, auth: tokens, port: cfg.scim.port, host: cfg.scim.host, ready: () => replicaReady });
      scimUrl = scim.url;
      closers.push(async () => { await scim.close(); tokens.close(); });
    }
    let adminUrl: string | null = null;
    let explain: ExplainReplicas | null = null;
    let reconciler: Reconciler | null = null;
    if (!skip.has('admin')) {
      // Explain and upcoming answer from local replicas, so any instance can answer them.
      const replicas = await startExplainReplicas({ brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, log: logOf('explain') });
      explain = replicas;
      closers.push(() => replicas.close());
      // The mass-change brake's held groups, from a local replica; release/discard as control records.
      const brakeAdmin = await startBrakeAdmin({ brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, log: logOf('brake'), clock: opts.clock ?? Date.now });
      closers.push(() => brakeAdmin.close());
      const adminTokens = new TokenRegistry({ label: 'admin', tokens: cfg.admin.tokens, ...(cfg.admin.tokensFile ? { file: cfg.admin.tokensFile } : {}) });
      if (cfg.admin.tokensFile) adminTokens.watch();
      const routes: AdminRoutes[] = [
        explainRoutes({ replicas, index, accountsReady: () => replicaReady, policy: opts.policy, emailDomain: cfg.emailDomain, clock: opts.clock ?? Date.now }),
        brakeRoutes({ brake: brakeAdmin, limits: cfg.brake, clock: opts.clock ?? Date.now }),
        // Store digests, online rebuild and reprocess (src/replay).
        replayRoutes({ streams, appId: cfg.appId, brokers: cfg.kafkaBrokers, instanceId: opts.instanceId ?? String(process.pid), log: logOf('replay') }),
      ];
      // Reconciliation: any instance can run it on request; the owner of task 0_0 runs the schedule.
      const reconcile = await startReconcile({
        config: cfg, dfo, taskIds: () => streams.taskIds(), log: logOf('reconcile'),
        persons: { view: replicas.persons, replica: replicas.personsReplica },
        latestRun: async () => (await replicas.latestReconcileRun()) as RunAuditRecord | null,
      });
      reconciler = reconcile.reconciler;
      closers.push(() => reconcile.close());
      routes.push(reconcile.routes);
      const readiness = () => ({ streams: streams.state === 'running', accountReplica: replicaReady, ingress: ingressStats()?.connected ?? true });
      routes.push(statusRoutes({
        instance: opts.instanceId ?? String(process.pid), app: cfg.appId, startedAt, readiness, streams,
        egressGroup: skip.has('egress') ? null : { group: `${cfg.appId}.egress`, topic: topics.notify },
        replicas: () => ({
          accounts: { ready: replicaReady, records: index.size },
          explain: { ready: replicas.isReady(), lag: replicas.lag() },
          brake: { ready: brakeAdmin.isReady(), lag: brakeAdmin.lag() },
        }),
        ingress: () => { const s = ingressStats(); return s && { ...s }; },
        egress: () => { const s = egressStats(); return s && { ...s }; },
        brake: async () => {
          const groups = await brakeAdmin.groups();
          const held = groups.filter((g) => g.status === 'pending');
          return { heldGroups: held.length, heldBlocks: held.reduce((n, g) => n + g.size, 0), collectingGroups: groups.length - held.length };
        },
        reconcile: async () => {
          const last = (await replicas.latestReconcileRun()) as RunAuditRecord | null;
          return {
            running: reconcile.reconciler.running(),
            last: last && { runId: last.runId, endedAt: last.endedAt, outcome: last.outcome, trigger: last.trigger, drift: Object.values(last.drift).reduce((a, b) => a + b, 0) },
          };
        },
        deadLetterTopic: topics.dlq,
      }));
      const admin = await startAdminServer({
        port: cfg.admin.port, host: cfg.admin.host, tokens: adminTokens, routes, log: logOf('admin'), readiness,
      });
      adminUrl = admin.url;
      closers.push(async () => { await admin.close(); adminTokens.close(); });
    }
    log.info({ scim: scimUrl, admin: adminUrl, app: cfg.appId }, 'iga-stream started');
    return { streams, index, scimUrl, adminUrl, ready, explain, reconciler, close };
  } catch (err) {
    await close();
    throw err;
  }
}
