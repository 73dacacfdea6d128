/**
 * The whole service in one process, as a list of parts (parts/): the state folder's group
 * memberships, the stream topology, the account replica, the RabbitMQ ingress and egress, the change
 * drivers (LDAP, identity provider) with their change tags, the SCIM
 * API, the operator features and the operations port. Each part starts in this order, contributes
 * its close function, admin routes, readiness gate and status, and stops in reverse order.
 * `startService` is what the `run` command and the end-to-end tests call.
 */
import type { DfoDatasource } from '../../connectors/dfo/index.ts';
import type { Config } from './config.ts';
import type { Policy } from '../iga/policy.ts';
import { componentLogger, rootLogger, type Logger } from '../common/log.ts';
import { dependencyHealth } from '../common/dependencyHealth.ts';
import type { AccountIndex } from '../scim/index.ts';
import type { StreamsApp } from '../runtime/index.ts';
import { registerKafkaSecurity } from '../runtime/kafka/security.ts';
import type { ExplainReplicas } from '../features/explain/replicas.ts';
import type { Reconciler } from '../features/reconcile/index.ts';
import { partContext, Parts } from './parts/part.ts';
import { schemaRegistryPart } from './parts/schemaRegistry.ts';
import { accountReplicaPart, dfoSource, membershipPart, streamsPart } from './parts/stream.ts';
import { egressPart, ingressPart } from './parts/connectors.ts';
import { driverAdminPart, driversPart } from './parts/drivers.ts';
import { changesPart } from './parts/changes.ts';
import { publishPart } from './parts/publish.ts';
import { scimPart } from './parts/scim.ts';
import { brakePart, deadLettersPart, explainPart, matchesPart, operationsPart, reconcilePart, replayPart } from './parts/operator.ts';

export interface ServiceOptions {
  config: Config;
  policy: Policy;
  /** Wall clock for every "today"; tests inject a manual clock. */
  clock?: () => number;
  /** Defaults to the DFØ REST client configured by `config.dfo`. */
  dfo?: DfoDatasource;
  instanceId?: string;
  /** Skip parts (tests that bring their own). */
  without?: Array<'ingress' | 'egress' | 'scim' | 'admin' | 'drivers' | 'publish'>;
  log?: Logger;
}

export interface RunningService {
  streams: StreamsApp;
  index: AccountIndex;
  scimUrl: string | null;
  adminUrl: string | null;
  /** The publisher's view (`GET /changes`), or null when no publisher client is configured. */
  changesUrl: string | null;
  /** The publisher input (`POST /publish/…`), or null without a publishers file. */
  publishUrl: string | null;
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
  const ctx = partContext(cfg, opts.policy, { log: opts.log ?? rootLogger, ...(opts.instanceId ? { instanceId: opts.instanceId } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  const log = componentLogger('service', ctx.base);
  const skip = new Set(opts.without ?? []);
  // Every Kafka client of this service (runtime, replicas, connectors, operations) connects with these.
  registerKafkaSecurity(cfg.kafkaBrokers, cfg.kafkaSecurity);
  dependencyHealth.configure({ summaryEveryMs: cfg.outageSummaryMs });
  if (cfg.kafkaSecurity.sasl?.mechanism === 'plain' && !cfg.kafkaSecurity.tls) {
    log.warn('SASL PLAIN without TLS sends the Kafka password in clear text; set IGA_KAFKA_SSL=true (or use SCRAM)');
  }
  log.info({ brokers: cfg.kafkaBrokers, tls: cfg.kafkaSecurity.tls !== null, sasl: cfg.kafkaSecurity.sasl?.mechanism ?? null }, 'Kafka connection');
  const parts = new Parts(log);
  const startedAt = Date.now();
  try {
    const dfo = opts.dfo ?? dfoSource(ctx);
    // First: a schema the registry refuses stops start-up before anything is written.
    const { serdes } = await parts.add(schemaRegistryPart(ctx));
    const { members } = await parts.add(membershipPart(ctx));
    const { streams } = await parts.add(streamsPart(ctx, { dfo, members, serdes }));
    const accounts = await parts.add(accountReplicaPart(ctx));
    if (!skip.has('ingress')) await parts.add(ingressPart(ctx, serdes));
    const publish = skip.has('publish') ? null : await publishPart(ctx, serdes);
    if (publish) await parts.add(Promise.resolve(publish));
    const egress = skip.has('egress') ? null : await parts.add(egressPart(ctx, members, serdes));
    const drivers = skip.has('drivers') ? null : await parts.add(driversPart(ctx, { members }));
    const scim = skip.has('scim') ? null : await parts.add(scimPart(ctx, accounts));
    const changes = await changesPart(ctx);
    if (changes) await parts.add(Promise.resolve(changes));
    let adminUrl: string | null = null;
    let explain: ExplainReplicas | null = null;
    let reconciler: Reconciler | null = null;
    if (!skip.has('admin')) {
      const explainP = await parts.add(explainPart(ctx, accounts));
      explain = explainP.replicas;
      const brake = await parts.add(brakePart(ctx));
      const deadLetters = await parts.add(Promise.resolve(deadLettersPart(ctx)));
      if (cfg.publish.publishers) await parts.add(matchesPart(ctx));
      await parts.add(Promise.resolve(replayPart(ctx, streams)));
      const reconcile = await parts.add(reconcilePart(ctx, { dfo, streams, explain, serdes }));
      reconciler = reconcile.reconciler;
      if (drivers && changes) await parts.add(Promise.resolve(driverAdminPart(ctx, { drivers, index: changes.index, accounts, streams })));
      ({ url: adminUrl } = await parts.add(operationsPart(ctx, { parts, streams, egressGroup: egress?.group ?? null, startedAt, serdes, console: { explain: explainP.service, brake: brake.service, deadLetters: deadLetters.service, reconcile: reconcile.feed, accounts: accounts.index } })));
    }
    log.info({ scim: scim?.url ?? null, admin: adminUrl, changes: changes?.url ?? null, publish: publish?.url ?? null, drivers: cfg.drivers.names, app: cfg.appId }, 'iga-stream started');
    return { streams, index: accounts.index, scimUrl: scim?.url ?? null, adminUrl, changesUrl: changes?.url ?? null, publishUrl: publish?.url ?? null, ready: accounts.caughtUp, explain, reconciler, close: () => parts.close() };
  } catch (err) {
    await parts.close();
    throw err;
  }
}
