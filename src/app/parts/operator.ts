/**
 * The operator features as parts of the admin API: explain and upcoming (local replicas of the
 * persons, timers and audit topics), the mass-change brake, the person directory's held profiles
 * (with publishers), rebuild and reprocess, reconciliation,
 * and the instance status; then the operations port that serves them with health and metrics.
 */
import { TokenRegistry } from '../../common/tokenRegistry.ts';
import type { DfoDatasource } from '../../../connectors/dfo/index.ts';
import { startBrakeAdmin } from '../../features/brake/brakeAdmin.ts';
import { brakeService, type BrakeService } from '../../features/brake/brakeService.ts';
import { brakeRoutes } from '../../features/brake/routes.ts';
import { consoleMiddleware } from '../../features/console/app.ts';
import { startOperatorAudit } from '../../features/console/operatorAudit.ts';
import { groupMembers } from '../../features/console/groupMembers.ts';
import { startOverviewSource } from '../../features/console/overviewSource.ts';
import type { ReconcileFeed } from '../../features/console/pages/deps.ts';
import { describeSchedule } from '../../features/reconcile/schedule.ts';
import { amqpRepublish } from '../../features/deadLetters/amqpRepublish.ts';
import { startDeadLetters, type DeadLetterService } from '../../features/deadLetters/deadLetters.ts';
import { deadLetterRoutes } from '../../features/deadLetters/routes.ts';
import { explainService, type ExplainService } from '../../features/explain/explainService.ts';
import { startMatchesAdmin } from '../../features/matches/matchesAdmin.ts';
import { matchesRoutes } from '../../features/matches/routes.ts';
import { startExplainReplicas, type ExplainReplicas } from '../../features/explain/replicas.ts';
import { explainRoutes } from '../../features/explain/routes.ts';
import { startReconcile, type Reconciler, type RunAuditRecord } from '../../features/reconcile/index.ts';
import { replayRoutes } from '../../features/replay/routes.ts';
import { instanceStatus, statusRoutes, type StatusSources } from '../../features/status/routes.ts';
import type { InstanceStatus } from '../../features/status/status.ts';
import type { StreamsApp } from '../../runtime/index.ts';
import type { AccountIndex } from '../../scim/index.ts';
import { startAdminServer } from '../admin/index.ts';
import type { Part, PartContext, Parts } from './part.ts';
import { valueEncoder, type TopicSerdes } from './schemaRegistry.ts';

/** Explain and upcoming answer from local replicas, so any instance can answer them. */
export async function explainPart(ctx: PartContext, accounts: { index: AccountIndex; isReady(): boolean }): Promise<Part & { replicas: ExplainReplicas; service: ExplainService }> {
  const { cfg } = ctx;
  const replicas = await startExplainReplicas({ brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, log: ctx.logOf('explain') });
  const deps = { replicas, index: accounts.index, accountsReady: accounts.isReady, policy: ctx.policy, emailDomain: cfg.emailDomain, clock: ctx.clock };
  const service = explainService(deps);
  return {
    name: 'explain', replicas, service, close: () => replicas.close(),
    routes: explainRoutes(deps, service),
    replica: { name: 'explain', state: () => ({ ready: replicas.isReady(), lag: replicas.lag() }) },
  };
}

/** The brake's held groups, from a local replica; release and discard as control records. */
export async function brakePart(ctx: PartContext): Promise<Part & { service: BrakeService }> {
  const { cfg } = ctx;
  const brake = await startBrakeAdmin({ brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, log: ctx.logOf('brake'), clock: ctx.clock });
  const deps = { brake, limits: cfg.brake, clock: ctx.clock };
  const service = brakeService(deps);
  return {
    name: 'brake', service, close: () => brake.close(),
    routes: brakeRoutes(deps, service),
    replica: { name: 'brake', state: () => ({ ready: brake.isReady(), lag: brake.lag() }) },
    status: async (): Promise<InstanceStatus['brake']> => {
      const groups = await brake.groups();
      const held = groups.filter((g) => g.status === 'pending');
      return { heldGroups: held.length, heldBlocks: held.reduce((n, g) => n + g.size, 0), collectingGroups: groups.length - held.length };
    },
  };
}

/** The dead-letter topic for operators: the newest records, and re-drive of what came over AMQP. */
export function deadLettersPart(ctx: PartContext): Part & { service: DeadLetterService } {
  const { cfg } = ctx;
  const log = ctx.logOf('dead-letters');
  const amqp = amqpRepublish({ url: cfg.amqp.url, ...(cfg.amqp.tls ? { tls: cfg.amqp.tls } : {}), appId: cfg.appId, log });
  const service = startDeadLetters({ brokers: cfg.kafkaBrokers, appId: cfg.appId, log, republish: amqp.republish });
  return { name: 'dead-letters', service, routes: deadLetterRoutes(service), close: async () => { await service.close(); await amqp.close(); } };
}

/** The person directory's held profiles (ambiguous matches), from a local replica; release as control records. Only with publishers. */
export async function matchesPart(ctx: PartContext): Promise<Part> {
  const { cfg } = ctx;
  const matches = await startMatchesAdmin({ brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, log: ctx.logOf('matches'), clock: ctx.clock });
  return {
    name: 'matches', close: () => matches.close(),
    routes: matchesRoutes({ matches }),
    replica: { name: 'held-matches', state: () => ({ ready: matches.isReady(), lag: matches.lag() }) },
  };
}

/** Store digests, online rebuild and reprocess. */
export function replayPart(ctx: PartContext, streams: StreamsApp): Part {
  const { cfg } = ctx;
  return { name: 'replay', close: async () => undefined, routes: replayRoutes({ streams, appId: cfg.appId, brokers: cfg.kafkaBrokers, instanceId: ctx.instanceId, log: ctx.logOf('replay') }) };
}

/** Reconciliation: any instance runs it on request; the owner of task 0_0 runs the schedule. */
export async function reconcilePart(ctx: PartContext, deps: { dfo: DfoDatasource; streams: StreamsApp; explain: ExplainReplicas; serdes?: TopicSerdes }): Promise<Part & { reconciler: Reconciler; feed: ReconcileFeed }> {
  const { cfg } = ctx;
  const latestRun = async () => (await deps.explain.latestReconcileRun()) as RunAuditRecord | null;
  const reconcile = await startReconcile({
    settings: { brokers: cfg.kafkaBrokers, appId: cfg.appId, stateDir: cfg.stateDir, schedule: cfg.reconcile.schedule, waitTimeoutMs: cfg.reconcile.waitTimeoutMs },
    dfo: deps.dfo, taskIds: () => deps.streams.taskIds(), log: ctx.logOf('reconcile'), encodeAudit: valueEncoder(deps.serdes ?? new Map(), ctx.topics.audit),
    persons: { view: deps.explain.persons, replica: deps.explain.personsReplica }, latestRun,
  });
  return {
    name: 'reconcile', reconciler: reconcile.reconciler, close: () => reconcile.close(), routes: reconcile.routes,
    feed: {
      run: (o) => reconcile.reconciler.run(o), running: () => reconcile.reconciler.running(), last: () => reconcile.reconciler.last(),
      latestRun, schedule: describeSchedule(cfg.reconcile.schedule),
    },
    status: async (): Promise<InstanceStatus['reconcile']> => {
      const last = await latestRun();
      return {
        running: reconcile.reconciler.running(),
        last: last && { runId: last.runId, endedAt: last.endedAt, outcome: last.outcome, trigger: last.trigger, drift: Object.values(last.drift).reduce((a, b) => a + b, 0) },
      };
    },
  };
}

/** What the operator console reads besides the status: the same explain and brake functions as the admin API, and the accounts. */
export interface ConsoleFeeds { explain: ExplainService; brake: BrakeService; deadLetters: DeadLetterService; reconcile: ReconcileFeed; accounts: AccountIndex }

/**
 * `GET /admin/status`, the operator console and the operations port (health, readiness, metrics,
 * the admin API with its own tokens), serving what every part started before it contributes.
 * Started last.
 */
export async function operationsPart(ctx: PartContext, deps: { parts: Parts; streams: StreamsApp; egressGroup: string | null; startedAt: number; console: ConsoleFeeds; serdes?: TopicSerdes }): Promise<Part & { url: string }> {
  const { cfg } = ctx;
  const { parts } = deps;
  const sources: StatusSources = {
    instance: ctx.instanceId, app: cfg.appId, startedAt: deps.startedAt, readiness: () => parts.readiness(), streams: deps.streams,
    egressGroup: deps.egressGroup ? { group: deps.egressGroup, topic: ctx.topics.notify } : null,
    replicas: () => parts.replicas(),
    ingress: parts.statusOf<InstanceStatus['ingress']>('ingress'),
    egress: parts.statusOf<InstanceStatus['egress']>('egress'),
    brake: async () => (await parts.statusOf<Promise<InstanceStatus['brake']>>('brake')()) ?? null,
    reconcile: async () => (await parts.statusOf<Promise<InstanceStatus['reconcile']>>('reconcile')()) ?? null,
    deadLetterTopic: ctx.topics.dlq,
    drivers: parts.statusOf<InstanceStatus['drivers']>('drivers'),
    schemaRegistry: parts.statusOf<InstanceStatus['schemaRegistry']>('schemaRegistry'),
  };
  const status = { sources, routes: statusRoutes(sources) };
  const tokens = new TokenRegistry({ label: 'admin', tokens: cfg.admin.tokens, ...(cfg.admin.tokensFile ? { file: cfg.admin.tokensFile } : {}) });
  if (cfg.admin.tokensFile) tokens.watch();
  const audit = await startOperatorAudit({ brokers: cfg.kafkaBrokers, appId: cfg.appId, log: ctx.logOf('console'), clock: ctx.clock, encode: valueEncoder(deps.serdes ?? new Map(), ctx.topics.audit) }).catch((err: unknown) => { tokens.close(); throw err; });
  const accounts = deps.console.accounts;
  const members = groupMembers({ brokers: cfg.kafkaBrokers, appId: cfg.appId, log: ctx.logOf('console') });
  const overview = startOverviewSource({
    members: () => members.list(),
    appId: cfg.appId, instance: ctx.instanceId, status: () => instanceStatus(status.sources), sampleMs: cfg.console.sampleMs, keepMs: cfg.console.historyMs, prometheusUrl: cfg.console.prometheusUrl,
    accounts: () => ({ total: accounts.size, active: accounts.idsByActive(true).size }),
    topics: { raw: ctx.topics.raw, personEvents: ctx.topics.personEvents, accountInputs: ctx.topics.accountInputs, usernameClaims: ctx.topics.usernameClaims, brake: ctx.topics.brake },
  });
  const closeAll = async () => { overview.close(); await members.close(); await audit.close().catch(() => undefined); tokens.close(); };
  try {
    const console = consoleMiddleware({
      tokens, audit, explain: deps.console.explain, brake: deps.console.brake, deadLetters: deps.console.deadLetters, reconcile: deps.console.reconcile, overview,
      sessionTtlMs: cfg.console.sessionTtlMs, secureCookie: cfg.console.secureCookie, log: ctx.logOf('console'),
    });
    const admin = await startAdminServer({
      port: cfg.admin.port, host: cfg.admin.host, tokens, routes: [...parts.routes(), status.routes], console, log: ctx.logOf('admin'), readiness: () => parts.readiness(),
    });
    return { name: 'operations', url: admin.url, close: async () => { await admin.close(); await closeAll(); } };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
