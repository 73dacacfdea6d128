/**
 * BENCH_PROFILE=1: the benchmarks run the service with Node's CPU profiler (`--cpu-prof`), one
 * profile per service process in bench/results/profiles/<app id>.cpuprofile (written when the
 * process exits), and report where its CPU went during the measured window (bench/lib/cpuProfile.ts):
 * in the JSON result and as a short table on stderr. The profiler samples every millisecond and
 * costs the service some CPU: figures of a profiled run are not comparable with unprofiled ones.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { join } from 'node:path';
import { formatSummary, summariseProfile, type CpuProfile, type ProfileSummary } from './cpuProfile.ts';

export const PROFILE = process.env.BENCH_PROFILE === '1';

/** Now in µs of the monotonic clock, the clock of V8's profile timestamps (process.hrtime's). */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The window of a measurement, in the profile's clock. */
export interface ProfileWindow { fromUs: number; toUs: number }

/** Starts a window now; `end(ms)` closes it `ms` after its start (a duration the bench measured with performance.now()). */
export function windowFromNow(): { fromUs: number; end(afterMs: number): ProfileWindow } {
  const fromUs = nowUs();
  return { fromUs, end: (afterMs) => ({ fromUs, toUs: fromUs + Math.round(afterMs * 1000) }) };
}

/** Node options that make a process write its CPU profile to `<dir>/<name>.cpuprofile` on exit. */
export function cpuProfileOptions(dir: string, name: string): { nodeOptions: string; path: string } {
  mkdirSync(dir, { recursive: true });
  return { nodeOptions: `--cpu-prof --cpu-prof-dir="${dir}" --cpu-prof-name="${name}.cpuprofile"`, path: join(dir, `${name}.cpuprofile`) };
}

export interface ProfileResult { file: string; window: ProfileWindow; summary: ProfileSummary }

/**
 * After the profiled process exited: its profile's summary over `window`, and the compact tables
 * on stderr through `say`. Null (with a warning) when the process left no profile (killed).
 */
export async function readProfile(path: string, window: ProfileWindow, root: string, label: string, say: (line: string) => void): Promise<ProfileResult | null> {
  // The file is complete once the process has exited; wait a little in case the exit was just seen.
  for (let i = 0; i < 50 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(path)) {
    say(`warning: no CPU profile at ${path} (the service did not exit normally?)`);
    return null;
  }
  const summary = summariseProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, window);
  const file = relative(root, path);
  for (const line of formatSummary(summary, { title: `CPU profile of ${label} (${file}), rows of 0.5 % and more:`, compact: true }).split('\n')) say(line);
  return { file, window, summary };
}
