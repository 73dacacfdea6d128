/**
 * BENCH_PROFILE's plumbing (bench/lib/benchProfile.ts) on a real Node process: the options make it
 * write its profile where the bench looks, V8's timestamps are on the clock the bench measures its
 * window with (process.hrtime), and the window picks the samples taken inside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cpuProfileOptions, nowUs, readProfile } from '../../bench/lib/benchProfile.ts';

const dir = await mkdtemp(join(tmpdir(), 'iga bench profile '));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('writes the profile where the bench reads it, on the clock of the bench window', async () => {
  // Spins in `spin` between two marks it prints (µs of process.hrtime), sleeps before and after.
  const script = join(dir, 'spin.mjs');
  await writeFile(script, `
    const mark = () => Number(process.hrtime.bigint() / 1000n);
    function spin(until) { let x = 0; do { for (let i = 0; i < 1e6; i++) x = (x * 31 + i) | 0; } while (mark() < until); return x; }
    await new Promise((r) => setTimeout(r, 100));
    const from = mark();
    spin(from + 200_000);
    const to = mark();
    await new Promise((r) => setTimeout(r, 100));
    console.log(JSON.stringify({ from, to }));
  `);
  const { nodeOptions, path } = cpuProfileOptions(join(dir, 'profiles'), 'spin-run');
  const before = nowUs();
  const child = spawnSync(process.execPath, [script], { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' });
  const after = nowUs();
  expect(child.status, child.stderr).toBe(0);
  const { from, to } = JSON.parse(child.stdout) as { from: number; to: number };
  expect(from).toBeGreaterThan(before);
  expect(to).toBeLessThan(after);

  const lines: string[] = [];
  const result = await readProfile(path, { fromUs: from, toUs: to }, dir, 'spin', (l) => lines.push(l));
  expect(result).not.toBeNull();
  expect(result!.file).toBe(join('profiles', 'spin-run.cpuprofile'));
  // Inside the window the process did nothing but spin: spin is the top function and nothing was idle.
  expect(result!.summary.topFunctions[0]!.functionName).toBe('spin');
  expect(result!.summary.idleMs).toBe(0);
  expect(result!.summary.samples).toBeGreaterThan(0);
  // The whole profile has idle samples (the sleeps) outside the window.
  const whole = await readProfile(path, { fromUs: before, toUs: after }, dir, 'spin', () => undefined);
  expect(whole!.summary.idleMs).toBeGreaterThan(0);
  expect(lines[0]).toBe(`CPU profile of spin (${join('profiles', 'spin-run.cpuprofile')}), rows of 0.5 % and more:`);
});

it('reports a missing profile instead of failing the bench', async () => {
  const lines: string[] = [];
  expect(await readProfile(join(dir, 'none.cpuprofile'), { fromUs: 0, toUs: 1 }, dir, 'x', (l) => lines.push(l))).toBeNull();
  expect(lines.join('\n')).toMatch(/no CPU profile at/);
}, 20_000);
