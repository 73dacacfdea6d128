/**
 * What the service is made of: parts that start in order and stop in reverse, each alike — a name,
 * a close function, and optionally admin routes, a readiness gate and a status section. service.ts
 * lists the parts; the admin server and `GET /admin/status` read what they contribute from here.
 */
import type { Config } from '../config.ts';
import type { Policy } from '../../iga/policy.ts';
import { componentLogger, type Logger } from '../../common/log.ts';
import type { AdminRoutes } from '../../features/adminApi/index.ts';
import { topicNames } from '../../topology/contracts/topics.ts';

export interface Part {
  readonly name: string;
  close(): Promise<void>;
  /** Admin API routes it adds. */
  readonly routes?: AdminRoutes;
  /** Gates readiness under the part's name (`/readyz` lists the parts that are not ready). */
  ready?(): boolean;
  /** Its section of `GET /admin/status`. */
  status?(): unknown;
  /** A local replica it keeps (listed under `replicas` in the status). */
  readonly replica?: { name: string; state(): ReplicaState };
}

export interface ReplicaState { ready: boolean; lag?: number; records?: number }

/** What every part is started with. */
export interface PartContext {
  cfg: Config;
  policy: Policy;
  instanceId: string;
  clock: () => number;
  topics: ReturnType<typeof topicNames>;
  /** This instance's logger (bound to `instance`); parts that name their own component take it. */
  base: Logger;
  /** The logger of one component (`component` field) of this instance. */
  logOf(component: string): Logger;
}

export function partContext(cfg: Config, policy: Policy, opts: { instanceId?: string; clock?: () => number; log: Logger }): PartContext {
  const instanceId = opts.instanceId ?? String(process.pid);
  // Each part logs with its own `component` on top of this base (pino repeats a key bound twice).
  const base = opts.log.child({ instance: instanceId });
  return { cfg, policy, instanceId, clock: opts.clock ?? Date.now, topics: topicNames(cfg.appId), base, logOf: (component) => componentLogger(component, base) };
}

/** The running parts, in start order. */
export class Parts {
  private readonly started: Part[] = [];
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  /** Starts a part; once started it is closed by close(), also when a later part fails to start. */
  async add<P extends Part>(starting: Promise<P>): Promise<P> {
    const part = await starting;
    this.started.push(part);
    return part;
  }

  /** Stops every part in reverse order; a failing close is logged and the others still close. */
  async close(): Promise<void> {
    for (const part of this.started.splice(0).reverse()) {
      await part.close().catch((err: unknown) => this.log.error({ part: part.name, err: String(err) }, 'error while stopping'));
    }
  }

  routes(): AdminRoutes[] {
    return this.started.flatMap((p) => (p.routes ? [p.routes] : []));
  }

  /** Every readiness gate by part name (`/readyz`, `GET /admin/status`). */
  readiness(): Record<string, boolean> {
    return Object.fromEntries(this.started.flatMap((p) => (p.ready ? [[p.name, p.ready()] as const] : [])));
  }

  /** Every local replica by name. */
  replicas(): Record<string, ReplicaState> {
    return Object.fromEntries(this.started.flatMap((p) => (p.replica ? [[p.replica.name, p.replica.state()] as const] : [])));
  }

  /** A part's status section, or null when the part does not run here. */
  statusOf<T>(name: string): () => T | null {
    return () => (this.started.find((p) => p.name === name)?.status?.() as T | undefined) ?? null;
  }
}
