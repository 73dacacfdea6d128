/** `GET /admin/status`: this instance's status (status.ts), gathered from its parts on request. */
import type { AdminRoutes } from '../adminApi/index.ts';
import type { PartitionLag } from '../../runtime/index.ts';
import { groupProgress, type InstanceStatus } from './status.ts';

export interface StatusSources {
  instance: string;
  app: string;
  startedAt: number;
  readiness: () => Record<string, boolean>;
  streams: { state: string; taskIds(): string[]; groupLag(groupId?: string, topics?: string[]): Promise<PartitionLag[]>; topicOffsets(topic: string): Promise<Array<{ low: bigint; high: bigint }>> };
  /** The egress's group and the notify topic (null without the egress). */
  egressGroup: { group: string; topic: string } | null;
  replicas: () => InstanceStatus['replicas'];
  ingress: () => InstanceStatus['ingress'];
  egress: () => InstanceStatus['egress'];
  brake: (() => Promise<InstanceStatus['brake']>) | null;
  reconcile: (() => Promise<InstanceStatus['reconcile']>) | null;
  drivers?: () => InstanceStatus['drivers'];
  /** The schema registry's section (null: no registry configured). */
  schemaRegistry?: () => InstanceStatus['schemaRegistry'] | null;
  deadLetterTopic: string;
}

export async function instanceStatus(s: StatusSources, now = Date.now()): Promise<InstanceStatus> {
  const parts = s.readiness();
  const running = s.streams.state === 'running';
  const [topology, egress, brake, reconcile, dlq] = await Promise.all([
    running ? s.streams.groupLag().then((l) => groupProgress(s.app, l)) : Promise.resolve({ group: s.app, behind: 0, caughtUp: false, lagging: [] }),
    running && s.egressGroup ? s.streams.groupLag(s.egressGroup.group, [s.egressGroup.topic]).then((l) => groupProgress(s.egressGroup!.group, l)) : Promise.resolve(null),
    s.brake?.() ?? Promise.resolve(null),
    s.reconcile?.() ?? Promise.resolve(null),
    running ? s.streams.topicOffsets(s.deadLetterTopic).then((b) => b.reduce((n, p) => n + Number(p.high - p.low), 0)) : Promise.resolve(0),
  ]);
  return {
    instance: s.instance, app: s.app, startedAt: new Date(s.startedAt).toISOString(), uptimeSeconds: Math.round((now - s.startedAt) / 1000),
    ready: Object.values(parts).every(Boolean), parts,
    streams: { state: s.streams.state, tasks: s.streams.taskIds() },
    progress: { topology, egress },
    replicas: s.replicas(), ingress: s.ingress(), egress: s.egress(), brake, reconcile, deadLetterOffsets: dlq,
    ...(s.drivers ? { drivers: s.drivers() } : {}),
    ...(s.schemaRegistry?.() ? { schemaRegistry: s.schemaRegistry()! } : {}),
  };
}

export function statusRoutes(s: StatusSources): AdminRoutes {
  return (router) => {
    router.get('/status', async (ctx) => {
      ctx.body = await instanceStatus(s);
    });
  };
}
