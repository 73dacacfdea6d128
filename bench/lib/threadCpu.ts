/**
 * CPU seconds of a process per kind of thread (Linux /proc/<pid>/task/*), the digits of thread
 * names folded so that `kafka-producer-network-thread | x-3` and `C2 CompilerThread1` each count as
 * one kind: where the Kafka Streams peer's CPU went (stream threads, JIT compiler, GC, clients).
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100;

export function cpuByThreadKind(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+/g, '#');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
    } catch {
      // the thread ended meanwhile
    }
  }
  return Object.fromEntries(Object.entries(out).filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, s]) => [k, Math.round(s * 100) / 100]));
}
