/**
 * The change drivers as a part (connectors/drivers): the compacted change-status topic (created at
 * start-up, also with no driver configured, since the publisher's view reads it), one driver per
 * name in IGA_DRIVERS — each its own consumer group `<app>.driver.<name>` with its destination —
 * and the status events to the status exchange. No readiness gate: a destination that is down
 * delays only its driver's tags, never SCIM or the topology, so the instance stays ready.
 */
import { createDestination, type DriverName } from '../../../connectors/drivers/registry.ts';
import type { Destination } from '../../../connectors/drivers/destination.ts';
import { startDriver, type Driver, type DriverStats } from '../../../connectors/drivers/framework/driver.ts';
import { driverMetrics } from '../../../connectors/drivers/framework/metrics.ts';
import { startStatusEvents, type StatusEvents } from '../../../connectors/drivers/framework/statusEvents.ts';
import { startStatusWriter, type StatusWriter } from '../../../connectors/drivers/framework/statusWriter.ts';
import { createKafka } from '../../runtime/kafka/client.ts';
import { createTopicsAndWait, waitForTopics } from '../../runtime/kafka/createTopics.ts';
import type { MemberRegistry } from '../../runtime/kafka/memberRegistry.ts';
import type { Part, PartContext } from './part.ts';
import type { ChangesIndex } from '../../features/changes/replicas.ts';
import { driverRoutes } from '../../features/drivers/routes.ts';
import type { StreamsApp } from '../../runtime/index.ts';
import type { AccountIndex } from '../../scim/index.ts';

/** One running driver with its destination (the operator commands re-drive changes through it). */
export interface RunningDriver { name: DriverName; group: string; destination: Destination; driver: Driver }

export interface DriversPart extends Part {
  drivers: RunningDriver[];
  /** Writes tags (the operator's retry and resync tag what they re-drive). */
  tags: StatusWriter;
}

/** `<app>.driver.<name>`: a driver's consumer group. */
export function driverGroup(appId: string, name: string): string {
  return `${appId}.driver.${name}`;
}

/** Creates the compacted change-status topic when it is missing, and waits for its leaders. */
async function ensureChangeStatusTopic(ctx: PartContext): Promise<void> {
  const admin = createKafka({ brokers: ctx.cfg.kafkaBrokers, clientId: `${ctx.cfg.appId}-drivers-admin`, log: ctx.logOf('drivers') }).admin();
  await admin.connect();
  try {
    const topic = ctx.topics.changeStatus;
    if (!(await admin.listTopics()).includes(topic)) {
      await createTopicsAndWait(admin, [{ topic, numPartitions: ctx.cfg.partitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]).catch(async (err: unknown) => {
        // Another instance created it a moment ago.
        if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
      });
      ctx.logOf('drivers').info({ topic }, 'created the change-status topic');
    }
    await waitForTopics(admin, [topic]);
  } finally {
    await admin.disconnect();
  }
}

export async function driversPart(ctx: PartContext, deps: { members: MemberRegistry }): Promise<DriversPart> {
  const { cfg } = ctx;
  const log = ctx.logOf('drivers');
  const d = cfg.drivers;
  await ensureChangeStatusTopic(ctx);
  const metrics = driverMetrics();
  const status = await startStatusWriter({ kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-change-status` }, topic: ctx.topics.changeStatus, log });
  const running: RunningDriver[] = [];
  let events: StatusEvents | null = null;
  const close = async (): Promise<void> => {
    for (const r of running.splice(0).reverse()) {
      await r.driver.stop();
      await r.destination.close().catch((err: unknown) => log.warn({ driver: r.name, err: String(err) }, 'closing the destination failed'));
    }
    await events?.stop();
    await status.close().catch(() => undefined);
  };
  try {
    if (d.names.length > 0) {
      // Before the drivers: every tag they write is seen.
      events = await startStatusEvents({
        amqpUrl: cfg.amqp.url, ...(cfg.amqp.tls ? { amqpTls: cfg.amqp.tls } : {}), exchange: d.statusExchange, connectionName: `${cfg.appId} status events ${ctx.instanceId}`,
        kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-status-events`, groupId: `${cfg.appId}.status-events`, sessionTimeoutMs: cfg.kafkaSessionTimeoutMs },
        changeStatusTopic: ctx.topics.changeStatus, members: deps.members, log,
      });
    }
    for (const name of d.names) {
      const settings = d[name];
      if (settings === null) throw new Error(`IGA_DRIVERS: no settings for ${name}`);
      const destination = await createDestination(name, settings as never, ctx.logOf(`driver-${name}`));
      const group = driverGroup(cfg.appId, name);
      try {
        const driver = await startDriver({
          destination, notifyTopic: ctx.topics.notify, status, metrics, affiliations: d.affiliations, retry: d.retry, retryingTagEveryMs: d.retryingTagEveryMs,
          kafka: { brokers: cfg.kafkaBrokers, clientId: `${cfg.appId}-driver-${name}`, groupId: group, sessionTimeoutMs: cfg.kafkaSessionTimeoutMs },
          // Real time, not the service's clock (which tests may hold still): retries wait in wall time.
          members: deps.members, log: ctx.logOf(`driver-${name}`),
        });
        running.push({ name, group, destination, driver });
      } catch (err) {
        await destination.close().catch(() => undefined);
        throw err;
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    name: 'drivers', drivers: running, tags: status, close,
    status: (): Record<string, DriverStats & { group: string }> => Object.fromEntries(running.map((r) => [r.name, { group: r.group, ...r.driver.stats() }])),
  };
}

/** The drivers' operator API (`/admin/drivers…`): lag, tags, parked changes, retry and resync through this instance's destinations. */
export function driverAdminPart(ctx: PartContext, deps: { drivers: DriversPart; index: ChangesIndex; accounts: { index: AccountIndex; isReady(): boolean }; streams: StreamsApp }): Part {
  const { index: accountIndex, isReady } = deps.accounts;
  return {
    name: 'driver-admin', close: async () => undefined,
    routes: driverRoutes({
      drivers: deps.drivers.drivers.map((r) => ({ name: r.name, group: r.group, destination: r.destination, stats: () => r.driver.stats() })),
      tags: deps.drivers.tags, index: deps.index,
      accounts: { get: (id) => accountIndex.get(id), values: () => accountIndex.values(), get size() { return accountIndex.size; }, isReady },
      affiliations: ctx.cfg.drivers.affiliations, notifyTopic: ctx.topics.notify,
      groupLag: (group, topics) => deps.streams.groupLag(group, topics), clock: Date.now, log: ctx.logOf('drivers'),
    }),
  };
}
