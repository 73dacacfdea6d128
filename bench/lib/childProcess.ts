/**
 * Child processes of the benchmarks: the service (`node src/cli/main.ts run`), the bare pipe and the
 * Kafka Streams peer (`java`), each measured apart from the driver. Reports the child's peak resident memory (VmHWM, Linux) and
 * stops it with SIGTERM, waiting for a clean exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Peak RSS in bytes so far (VmHWM). */
  peakRssBytes(): number;
  /**
   * CPU seconds (user + system, all threads) the child used so far (/proc/<pid>/stat). It depends
   * less on what else runs on the machine than a rate over wall time (not entirely: a starved
   * process commits smaller batches, and idle polling costs CPU for as long as a run lasts).
   */
  cpuSeconds(): number;
  /** SIGTERM, then waits up to `ms` for the exit; SIGKILL after that. Resolves with the exit code. */
  stop(ms?: number): Promise<number | null>;
  /** The last lines the child wrote to stderr/stdout (for error messages). */
  tail(): string;
}

/** USER_HZ of /proc/<pid>/stat: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/** Starts `command args` (by default this Node with `args`), with `env` on top of ours. */
export function startChild(args: string[], env: NodeJS.ProcessEnv, cwd: string, command: string = process.execPath): Child {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    process: child,
    peakRssBytes() {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    },
    cpuSeconds() {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS; // utime, stime
    },
    async stop(ms = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    tail: () => lines.join('\n'),
  };
}

/** Resolves when `line` appears on the child's stdout; rejects if it exits first. */
export function waitForLine(c: Child, line: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${line}' within ${timeoutMs / 1000} s:\n${c.tail()}`)), timeoutMs);
    c.process.stdout!.on('data', (d: Buffer) => { if (d.toString().includes(line)) { clearTimeout(timer); resolve(); } });
    c.process.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code} before '${line}':\n${c.tail()}`)); });
  });
}

/** Polls `url` until it answers 200. */
export async function waitForHttp(url: string, c: Child, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (c.process.exitCode !== null) throw new Error(`the child exited with ${c.process.exitCode}:\n${c.tail()}`);
    try { if ((await fetch(url)).ok) return; } catch { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s:\n${c.tail()}`);
}
