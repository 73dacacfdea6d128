/**
 * The pure core of the task-aware sticky assignor: which member runs which task.
 * A task is (sub-topology, partition); every source topic of the sub-topology goes with it, so
 * co-partitioned inputs always meet in one task on one member (KafkaJS's round-robin assigner
 * splits them, and the same task then runs on two members that fence each other).
 * Balanced: task counts differ by at most one. Sticky: a member keeps the tasks it reported
 * owning as far as balance allows, so a rebalance moves (and restores) as little state as possible.
 */

export interface MemberTasks {
  memberId: string;
  /** Tasks the member owned before this rebalance (from its subscription userData). */
  owned: string[];
}

/** Assigns every task to exactly one member. Deterministic for the same input. */
export function assignTasks(members: MemberTasks[], tasks: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (members.length === 0) return out;
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  for (const m of sorted) out.set(m.memberId, []);
  const all = [...new Set(tasks)].sort(compareTaskIds);
  const base = Math.floor(all.length / sorted.length);
  let extra = all.length % sorted.length; // members that may hold base + 1
  const exists = new Set(all);
  const taken = new Set<string>();
  // Prior ownership, each task claimed once (a task reported by two members goes to the first).
  const claims = new Map<string, string[]>();
  for (const m of sorted) {
    const mine = [...new Set(m.owned)].filter((t) => exists.has(t) && !taken.has(t)).sort(compareTaskIds);
    for (const t of mine) taken.add(t);
    claims.set(m.memberId, mine);
  }
  taken.clear();
  // 1. Everyone keeps up to `base` of its own tasks.
  for (const m of sorted) {
    const keep = claims.get(m.memberId)!.slice(0, base);
    out.get(m.memberId)!.push(...keep);
    for (const t of keep) taken.add(t);
  }
  // 2. Members that owned more keep one more while extra slots remain (fewest moves).
  for (const m of sorted) {
    if (extra === 0) break;
    const next = claims.get(m.memberId)!.find((t) => !taken.has(t));
    if (next === undefined) continue;
    out.get(m.memberId)!.push(next);
    taken.add(next);
    extra--;
  }
  // 3. The rest go to the members with the fewest tasks, up to their quota.
  const capacity = (m: string) => {
    const n = out.get(m)!.length;
    if (n < base) return true;
    return n === base && extra > 0;
  };
  for (const t of all) {
    if (taken.has(t)) continue;
    let best: string | null = null;
    for (const m of sorted) {
      if (!capacity(m.memberId)) continue;
      if (best === null || out.get(m.memberId)!.length < out.get(best)!.length) best = m.memberId;
    }
    if (best === null) throw new Error('task assignment: no capacity left (bug)');
    if (out.get(best)!.length === base) extra--;
    out.get(best)!.push(t);
    taken.add(t);
  }
  for (const list of out.values()) list.sort(compareTaskIds);
  return out;
}

/** `<sub>_<partition>` ordered numerically by sub-topology, then partition. */
export function compareTaskIds(a: string, b: string): number {
  const [sa, pa] = splitTaskId(a);
  const [sb, pb] = splitTaskId(b);
  return sa - sb || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
}

export function taskId(sub: number, partition: number): string {
  return `${sub}_${partition}`;
}

export function splitTaskId(id: string): [number, number] {
  const i = id.lastIndexOf('_');
  return [Number(id.slice(0, i)), Number(id.slice(i + 1))];
}

/** The tasks of a topology given each source topic's partition count (missing topics are skipped). */
export function tasksOf(subs: Array<{ id: number; topics: string[] }>, partitionsOf: (topic: string) => number): string[] {
  const out: string[] = [];
  for (const s of subs) {
    const n = Math.max(0, ...s.topics.map(partitionsOf));
    for (let p = 0; p < n; p++) out.push(taskId(s.id, p));
  }
  return out;
}

/** Topic → partitions for a member's tasks: every source topic of the task's sub-topology, same partition. */
export function topicPartitionsOf(tasks: string[], subs: Array<{ id: number; topics: string[] }>, partitionsOf: (topic: string) => number): Record<string, number[]> {
  const byId = new Map(subs.map((s) => [s.id, s.topics]));
  const out: Record<string, number[]> = {};
  for (const t of tasks) {
    const [sub, p] = splitTaskId(t);
    for (const topic of byId.get(sub) ?? []) {
      if (p >= partitionsOf(topic)) continue;
      (out[topic] ??= []).push(p);
    }
  }
  for (const list of Object.values(out)) list.sort((a, b) => a - b);
  return out;
}
