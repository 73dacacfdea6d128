import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { intOption, parseCommandArgs, timeOption } from '../../src/cli/commands/args.ts';
import { CliError } from '../../src/cli/commands/cliError.ts';
import { Progress } from '../../src/cli/commands/progress.ts';

function capture(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const w = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream: Object.assign(w, { isTTY: tty }) as unknown as NodeJS.WriteStream, text: () => text };
}

describe('command helpers', () => {
  test('progress off a terminal prints plain lines with share and rate, and a final line', () => {
    const out = capture(false);
    const p = new Progress('restoring persons', 200, { unit: 'records', stream: out.stream, plainEveryMs: 0 });
    p.update(50);
    p.finish('done');
    const lines = out.text().trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^restoring persons: 50\/200 records {2}25\.0%/);
    assert.match(lines[1]!, /^restoring persons: 200\/200 records {2}100\.0%.*done$/);
    assert.doesNotMatch(out.text(), /\x1b/);
  });

  test('progress on a terminal redraws one line with a bar', () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const out = capture(true);
      const p = new Progress('copying', null, { stream: out.stream });
      p.update(10);
      p.finish();
      assert.match(out.text(), /^\r\x1b\[2Kcopying: 10 items/);
      assert.ok(out.text().endsWith('\n'));
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  test('arguments: strict parsing with the usage line; typed options with clear errors', () => {
    const parsed = parseCommandArgs(['--days', '7'], { days: { type: 'string' } }, 'upcoming [--days N]');
    assert.equal(parsed.values.days, '7');
    assert.throws(() => parseCommandArgs(['--dayz', '7'], { days: { type: 'string' } }, 'upcoming [--days N]'),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && /usage: upcoming \[--days N\]/.test(e.message));
    assert.equal(intOption('days', undefined, 14, 1, 365), 14);
    assert.equal(intOption('days', '30', 14, 1, 365), 30);
    assert.throws(() => intOption('days', '0', 14, 1, 365), /--days must be an integer from 1 to 365, got '0'/);
    assert.throws(() => intOption('days', '2.5', 14, 1, 365), CliError);
    assert.equal(timeOption('from', '2026-11-01'), Date.parse('2026-10-31T23:00:00Z'), 'a bare date is midnight in Oslo (CET)');
    assert.equal(timeOption('from', '2026-07-01'), Date.parse('2026-06-30T22:00:00Z'), 'CEST in summer');
    assert.equal(timeOption('from', '2026-11-01T08:00:00+01:00'), Date.parse('2026-11-01T07:00:00Z'));
    assert.equal(timeOption('from', '1790000000000'), 1790000000000);
    assert.throws(() => timeOption('from', 'yesterday'), /--from must be an ISO date/);
    assert.throws(() => timeOption('at', '2026-13-01'), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--at must be an ISO date/.test(e.message),
      'an impossible day is a usage error (exit 2)');
  });
});
