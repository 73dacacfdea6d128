import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs the CLI with no IGA_* settings; a command that started anyway would be killed by the timeout (exit code null). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('iga-stream --help', () => {
  test('the top-level help lists every command and exits 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const name of ['run', 'demo', 'explain', 'upcoming', 'brake', 'reconcile', 'stores', 'rebuild', 'reprocess', 'login']) {
      assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  for (const name of ['run', 'demo', 'explain', 'upcoming', 'brake', 'reconcile', 'stores', 'rebuild', 'reprocess', 'login']) {
    test(`${name} --help prints the command's usage and exits 0 without running it`, async () => {
      const r = await cli([name, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: iga-stream ${name}\\b`));
      assert.equal(r.stderr, '');
    });
  }

  test('-h works too, and an unknown command exits 2 with the command list', async () => {
    assert.equal((await cli(['upcoming', '-h'])).code, 0);
    const r = await cli(['nosuch']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'nosuch'[\s\S]*usage: iga-stream <command>/);
  });

  test('run with a bad IGA_* or IGA_POLICY_* value exits 2 and names the variable, before connecting anywhere', async () => {
    const bad = await cli(['run'], { IGA_KAFKA_BROKERS: 'nohostport' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid configuration:\n {2}IGA_KAFKA_BROKERS: expected host:port/);
    const policy = await cli(['run'], { IGA_POLICY_END_GRACE_DAYS: 'two weeks' });
    assert.equal(policy.code, 2);
    assert.match(policy.stderr, /invalid configuration:\n {2}IGA_POLICY_END_GRACE_DAYS: /);
  });
});
