/**
 * The tasks of one StreamsApp member (Kafka Streams' TaskManager): which tasks the group assigned
 * here, which are open (restoring or running) and which are closing, and the task lifecycle:
 * open (fence, restore, seek to the committed offsets), commit, close, reopen and rewind, plus the
 * operator's visit. A task opens again only after its close finished (its producer and RocksDB
 * lock are free by then). The stream thread feeds the tasks; this file decides their lifecycle.
 */
import type { Logger } from '../../common/log.ts';
import { describeError, TaskMigratedError } from '../api/errors.ts';
import { changelogTopic, type BuiltTopology, type SubTopology } from '../api/topologyBuilder.ts';
import { reportKafkaOutage } from '../kafka/health.ts';
import { InstanceMigratedError } from './instanceCommitter.ts';
import { streamsMetrics } from './metrics.ts';
import { startTask, stopTask, taskDir, type RunningTask, type TaskEnv } from './taskFactory.ts';

/** The app's lifecycle: tasks open while it starts or runs, and reopen only while it runs. */
export type StreamsState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** A task the group assigned to this member. */
export interface AssignedTask { sub: SubTopology; partition: number }

/** One task as `visit` shows it to operator code (ops/operations.ts: store digests, rebuild). */
export interface TaskVisit {
  id: string;
  /** The task's local state folder (RocksDB stores and `.checkpoint`). */
  dir: string;
  running: RunningTask;
  reopen(whileClosed: () => Promise<void>): Promise<RunningTask>;
}

export interface TaskManagerOptions {
  appId: string;
  topology: BuiltTopology;
  log: Logger;
  state: () => StreamsState;
  /** What a task starts with (the app's Kafka clients exist once it started). */
  env: () => TaskEnv;
  /** Moves the group consumer to `offset` on one input partition. */
  seek: (topic: string, partition: number, offset: bigint) => void;
  /**
   * Exactly-once v2: the tasks commit in the instance's transactions, which carry the group
   * generation they were assigned under. A task revoked by a new assignment then closes without
   * committing (its work was committed before the rejoin, and a commit now would carry the new
   * generation), and a commit refused as a zombie's closes every task.
   */
  instanceTransactions?: boolean;
}

/**
 * `error`, or `debug` for a lost broker: every task fails on it at once, again on each retry, so it
 * is reported to dependency health (one line per outage) instead.
 */
export function levelOf(err: unknown, log: Logger): 'error' | 'debug' {
  return reportKafkaOutage(err, log) ? 'debug' : 'error';
}

export class TaskManager {
  private readonly opts: TaskManagerOptions;
  private readonly log: Logger;
  /** Open tasks (starting = restoring, or running); a task leaves this map when its close begins. */
  private readonly tasks = new Map<string, Promise<RunningTask>>();
  /** Tasks being closed: a task opens again only after its close finished (producer, RocksDB lock). */
  private readonly closing = new Map<string, Promise<void>>();
  /** The tasks the group assigned to this member (a batch of any other partition is stale). */
  private readonly assigned = new Map<string, AssignedTask>();
  /** Exactly-once v2: every task closing after the group refused a transaction (once at a time). */
  private zombieClose: Promise<void> | null = null;

  constructor(opts: TaskManagerOptions) {
    this.opts = opts;
    this.log = opts.log;
  }

  /** Ids of the open tasks, sorted. */
  ids(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** The open tasks, each with the promise of its start (the promise identifies this opening). */
  openTasks(): Array<[id: string, pending: Promise<RunningTask>]> {
    return [...this.tasks];
  }

  isAssigned(id: string): boolean {
    return this.assigned.has(id);
  }

  /** The task's current opening, if it is open. */
  current(id: string): Promise<RunningTask> | undefined {
    return this.tasks.get(id);
  }

  /** Resolves when every open task finished restoring. */
  async allReady(): Promise<void> {
    await Promise.all(this.tasks.values());
  }

  /** The group's new assignment: tasks no longer ours close (committing), new ones open. */
  assign(wanted: Map<string, AssignedTask>): void {
    this.assigned.clear();
    for (const [id, t] of wanted) this.assigned.set(id, t);
    for (const id of [...this.tasks.keys()]) if (!wanted.has(id)) void this.close(id, !this.opts.instanceTransactions);
    // Tasks we keep go on: records the consumer delivers again are below their position and skipped.
    for (const id of wanted.keys()) if (!this.tasks.has(id)) this.openTask(id);
    streamsMetrics.tasks.set({ app: this.opts.appId }, wanted.size);
    this.log.info({ tasks: [...wanted.keys()].sort() }, 'partitions assigned');
  }

  /** The consumer is gone: nothing is assigned any more, every task closes without committing. */
  async revokeAll(): Promise<void> {
    this.assigned.clear();
    await Promise.all([...this.tasks.keys()].map((id) => this.close(id, false)));
  }

  /**
   * Commits every running task (exactly-once v2, before the consumer rejoins the group: until it
   * has, the coordinator still takes the ending generation's offsets). A task that fails to commit
   * is closed as after any failed commit.
   */
  async commitAll(): Promise<void> {
    await Promise.all([...this.tasks].map(async ([id, pending]) => {
      const rt = await Promise.race([pending, Promise.resolve(null)]).catch(() => null);
      if (!rt) return; // still restoring: nothing to commit
      await rt.task.exclusive(async () => {
        if (this.tasks.get(id) === pending) await this.commit(id, rt);
      }).catch((err) => this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'commit before rejoining failed'));
    }));
  }

  /** Shutdown: every task commits and closes. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((id) => this.close(id, true)));
    await Promise.all(this.closing.values());
  }

  /**
   * Starts an assigned task: fences the previous owner, restores its stores (a batch waits,
   * heartbeating), then seeks its inputs to the committed offsets. Retried while still assigned.
   */
  openTask(id: string): Promise<RunningTask> | undefined {
    const t = this.assigned.get(id);
    const state = this.opts.state();
    if (!t || state !== 'running' && state !== 'starting') return undefined;
    const prior = this.closing.get(id);
    const start = () => startTask(this.opts.env(), t.sub, t.partition);
    const p = (prior ? prior.then(start) : start()).then((rt) => {
      if (this.tasks.get(id) === p) this.seekTo(rt);
      return rt;
    });
    this.tasks.set(id, p);
    p.catch((err) => {
      this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'task failed to start; retrying');
      if (this.tasks.get(id) === p) this.tasks.delete(id);
      setTimeout(() => this.reopenIfStillOurs(id), 1000).unref();
    });
    return p;
  }

  /**
   * Commits the task (call inside its `exclusive`). True when committed (or nothing to commit).
   * On failure the task's uncommitted work is gone (rolled back): the task is closed and, if still
   * ours, opened again — a new producer, and the input rewound to the committed offsets.
   */
  async commit(id: string, rt: RunningTask, onFailure: 'close' | 'report' = 'close'): Promise<boolean> {
    // A pipelined commit in flight (startCommit) goes first; if it failed, the task is closing.
    await rt.task.settled();
    if (rt.task.hasFailedCommit) return false;
    if (!rt.task.hasPending) return true;
    const position = this.positionToCommit(rt);
    const end = streamsMetrics.commitSeconds.startTimer();
    try {
      const written = await rt.task.commit();
      this.recordCommitted(rt, written, position);
      return true;
    } catch (err) {
      this.onCommitFailure(id, err, onFailure);
      return false;
    } finally {
      end();
    }
  }

  /**
   * Exactly-once v2 (call inside the task's `exclusive`): starts the task's commit and returns
   * without waiting for it, so the task processes on while the instance's transaction is in flight
   * (at ~100 ms per transaction on a busy broker, waiting for it left the main thread idle for much
   * of an initial load). A task whose previous commit is still in flight commits at a later tick.
   * On failure the task closes as after any failed commit (its close rolls back everything since
   * its last commit, including what it processed meanwhile) and opens again if still ours.
   */
  startCommit(id: string, rt: RunningTask): void {
    if (rt.task.commitInFlight || !rt.task.hasPending) return;
    const position = this.positionToCommit(rt);
    const end = streamsMetrics.commitSeconds.startTimer();
    rt.task.startCommit().then((written) => {
      this.recordCommitted(rt, written, position);
    }, (err: unknown) => {
      this.onCommitFailure(id, err, 'close');
    }).finally(end);
  }

  /**
   * The task's position its next commit records. Exactly-once v2 fences a zombie by the generation
   * its offsets carry: a transaction without offsets (a punctuation's output alone) would commit
   * unfenced, so the task's position goes along.
   */
  private positionToCommit(rt: RunningTask): Map<string, bigint> {
    if (this.opts.instanceTransactions && !rt.task.hasOffsets) for (const [topic, next] of rt.next) rt.task.markConsumed(topic, next);
    return new Map(rt.next);
  }

  /** After a commit: the stores' checkpoint and the task's committed position. */
  private recordCommitted(rt: RunningTask, written: Map<string, bigint>, position: Map<string, bigint>): void {
    for (const store of rt.stores.keys()) {
      const next = written.get(changelogTopic(this.opts.appId, store));
      if (next !== undefined) rt.checkpoint[store] = next.toString();
    }
    for (const [topic, next] of position) rt.committed.set(topic, next);
    streamsMetrics.commits.inc({ app: this.opts.appId });
  }

  /** A failed commit: the task closes (and reopens if still ours), or with `report` the caller decides. */
  private onCommitFailure(id: string, err: unknown, onFailure: 'close' | 'report'): void {
    streamsMetrics.commitFailures.inc({ app: this.opts.appId });
    if (err instanceof InstanceMigratedError) {
      // Exactly-once v2: the group refused the instance's transaction as a zombie's.
      if (onFailure === 'close') this.closeAllAfterZombieCommit(id);
      return;
    }
    const fenced = err instanceof TaskMigratedError;
    if (fenced) this.log.warn({ task: id }, 'task fenced by another instance; closing it');
    else this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'commit failed; rolled back');
    if (onFailure === 'report') return;
    // Fenced: its new owner has it, and our own rebalance follows. Else: a new producer, from the committed offsets.
    void this.close(id, false).then(() => { if (!fenced) this.reopenIfStillOurs(id); });
  }

  /** Drops the task's uncommitted work and moves its input back to the committed offsets (after the commit in flight, if any). */
  async rewind(rt: RunningTask): Promise<void> {
    await rt.task.settled();
    if (rt.task.hasFailedCommit) return; // the task is closing; it reopens from the committed state
    rt.task.rollback();
    this.seekTo(rt);
  }

  /** Sets the task's position to its committed offsets and seeks the consumer there. */
  seekTo(rt: RunningTask): void {
    for (const [topic, offset] of rt.committed) {
      rt.next.set(topic, offset);
      try {
        this.opts.seek(topic, rt.task.partition, offset);
      } catch (err) {
        this.log.warn({ task: rt.task.id, topic, err: describeError(err) }, 'seek failed');
      }
    }
  }

  /**
   * Operator hook (ops/operations.ts: store digests, online rebuild). Visits each open task, in id
   * order, once it is ready, inside the task's exclusive section (none of its records,
   * punctuations or commits run meanwhile). `visit` may call `reopen(whileClosed)`: that commits
   * and closes the task, runs `whileClosed()` (e.g. wipes its local state) and starts a fresh task
   * in its place, which restores its stores from the changelogs; it resolves with the fresh task
   * once restored. Until then the fresh task's promise is the current one, so batches and ticks
   * wait for it; batches already queued on the old task are dropped by the thread's guard.
   * A task that moved away before its visit is skipped; `reopen` rejects if it moves away meanwhile.
   */
  async visit(visit: (t: TaskVisit) => Promise<void>): Promise<void> {
    for (const id of this.ids()) {
      const pending = this.tasks.get(id);
      const rt = await pending?.catch(() => null);
      if (!pending || !rt) continue;
      const sub = this.opts.topology.subTopologies.find((s) => id === `${s.id}_${rt.task.partition}`)!;
      await rt.task.exclusive(async () => {
        if (this.opts.state() !== 'running' || this.tasks.get(id) !== pending) return;
        await visit({ id, running: rt, dir: taskDir(this.opts.env(), id), reopen: (whileClosed) => this.reopen(id, rt, sub, whileClosed) });
      });
    }
  }

  /** `TaskVisit.reopen`: the fresh task replaces `rt` at once; a failed reopen starts it again. */
  private reopen(id: string, rt: RunningTask, sub: SubTopology, whileClosed: () => Promise<void>): Promise<RunningTask> {
    let fresh!: Promise<RunningTask>;
    fresh = (async () => {
      const movedAway = () => new Error(`task ${id} moved to another instance meanwhile`);
      let committed = false;
      try {
        committed = await this.commit(id, rt, 'report');
      } finally {
        await stopTask(this.opts.env(), rt); // also after a failed commit: the next start needs the RocksDB lock
      }
      if (this.tasks.get(id) !== fresh) throw movedAway(); // revoked: close() dropped it
      if (!committed) throw new Error(`task ${id}: the commit before reopening failed (fenced or broker error)`);
      await whileClosed();
      if (this.tasks.get(id) !== fresh) throw movedAway();
      const next = await startTask(this.opts.env(), sub, rt.task.partition);
      if (this.tasks.get(id) === fresh) this.seekTo(next);
      return next;
    })();
    this.tasks.set(id, fresh);
    fresh.catch((err) => {
      this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'reopening task failed; it starts again');
      if (this.tasks.get(id) === fresh) {
        this.tasks.delete(id);
        // Its uncommitted records were rolled back behind the consumer's position: reopen (seeks back).
        this.reopenIfStillOurs(id);
      }
    });
    return fresh;
  }

  /**
   * Every task closes without committing (their uncommitted work is the zombie's) and opens again
   * if still assigned, from the committed offsets once stable. A member that missed a rebalance
   * learns it at its next heartbeat and KafkaJS rejoins; the new assignment then decides.
   */
  private closeAllAfterZombieCommit(reportedBy: string): void {
    if (this.zombieClose) return;
    this.log.warn({ task: reportedBy }, "the group refused this instance's transaction (its generation is over): closing every task; they reopen from the committed state");
    this.zombieClose = this.closeAndReopenAll().finally(() => { this.zombieClose = null; });
  }

  /**
   * Exactly-once v2, on a new assignment after generations this member was not part of: every task
   * closes without committing and opens again, if assigned, from the committed offsets and the
   * changelogs (Kafka Streams closes its tasks dirty when it finds itself out of the group).
   */
  closeAllAfterMissedGeneration(from: number, to: number): void {
    const ids = [...this.tasks.keys()];
    if (ids.length === 0) return;
    this.log.warn({ from, to, tasks: ids.length }, 'this instance missed a generation of the group: closing every task; they reopen from the committed state');
    void this.closeAndReopenAll();
  }

  /** Closes every open task without committing, and opens each again once closed if still ours. */
  private async closeAndReopenAll(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((id) => this.close(id, false).then(() => this.reopenIfStillOurs(id))));
  }

  private reopenIfStillOurs(id: string): void {
    if (this.assigned.has(id) && !this.tasks.has(id) && this.opts.state() === 'running') this.openTask(id);
  }

  /**
   * Closes a task: after the work queued on it, commits (revocation, shutdown) or rolls back
   * (fenced, failed), then closes its producer and stores. The counterpart of `openTask`.
   */
  private close(id: string, commit: boolean): Promise<void> {
    const pending = this.tasks.get(id);
    if (!pending) return this.closing.get(id) ?? Promise.resolve();
    this.tasks.delete(id);
    const done = (async () => {
      const rt = await pending.catch(() => null);
      if (!rt) return;
      await rt.task.exclusive(async () => {
        if (commit) await this.commit(id, rt);
        else {
          // A pipelined commit in flight ends first: what it committed must not be applied after the rollback.
          await rt.task.settled();
          rt.task.rollback();
        }
        await stopTask(this.opts.env(), rt);
      }).catch((err) => this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'closing task failed'));
      this.log.info({ task: id }, 'task closed');
    })().finally(() => { if (this.closing.get(id) === done) this.closing.delete(id); });
    this.closing.set(id, done);
    return done;
  }
}
