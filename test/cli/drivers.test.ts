/** `iga-stream drivers` without an instance: its usage errors (exit 2) and how a driver report reads. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { driversCommand, renderDrift, renderDrivers } from '../../src/cli/commands/drivers.ts';
import type { DriftReport } from '../../src/features/drivers/driftRun.ts';
import { CliError } from '../../src/cli/commands/cliError.ts';
import type { DriverReport } from '../../src/features/drivers/routes.ts';

const report = (over: Partial<DriverReport> = {}): DriverReport => ({
  name: 'ldap', group: 'iga-uib.driver.ldap', progress: { group: 'iga-uib.driver.ldap', behind: 0, caughtUp: true, lagging: [] },
  tags: { complete: 5, failed: 1, retrying: 0, parked: 1 },
  parked: [{ changeId: 'acc:v1', accountId: 'acc', version: 1, error: 'objectClassViolation (65)', at: '2026-03-02T10:00:00.000Z', messageId: 'm-1', attempts: 1 }],
  waiting: [], instance: { applied: 5, unchanged: 0, failed: 1, skipped: 0, retries: 0, retrying: 0, lastError: null }, ...over,
});

describe('iga-stream drivers', () => {
  test('usage errors exit 2 before asking any instance', async () => {
    for (const args of [['retry'], ['resync', 'LDAP!'], ['list', 'ldap'], ['frobnicate'], ['resync', 'ldap', '--change', 'a:v1'], ['retry', 'ldap', 'extra'], ['drift'], ['resync', 'ldap', '--dry-run'], ['--dry-run']]) {
      const err = await driversCommand(args).catch((e: unknown) => e);
      assert.ok(err instanceof CliError && err.exitCode === 2, `${args.join(' ')}: ${String(err)}`);
    }
  });

  test('a report: lag, tag counts, this instance\'s counts, parked changes and the hint to retry them; a waiting driver says so', () => {
    const text = renderDrivers([report()]);
    assert.match(text, /^Driver ldap {2}\(group iga-uib\.driver\.ldap\) {2}caught up$/m);
    assert.match(text, /tags {6}5 complete, 1 failed \(1 parked\), 0 retrying/);
    assert.match(text, /parked {4}acc:v1 {2}since 2026-03-02T10:00:00\.000Z {2}message m-1: objectClassViolation \(65\)/);
    assert.match(text, /drivers: 1 driver\(s\), 1 parked change\(s\); re-drive them with iga-stream drivers retry <driver>/);
    const waiting = renderDrivers([report({
      progress: { group: 'g', behind: 12, caughtUp: false, lagging: [] }, tags: { complete: 5, failed: 0, retrying: 1, parked: 0 }, parked: [],
      waiting: [{ changeId: 'b:v2', error: 'connect ECONNREFUSED', attempts: 4, nextAttemptAt: '2026-03-02T10:00:09.000Z' }],
      instance: { applied: 5, unchanged: 0, failed: 0, skipped: 0, retries: 4, retrying: 1, lastError: 'connect ECONNREFUSED' },
    })]);
    assert.match(waiting, /12 offsets behind {2}WAITING for the destination: 1 change\(s\) retrying/);
    assert.match(waiting, /retrying {2}b:v2 {2}attempt 4, next 2026-03-02T10:00:09\.000Z: connect ECONNREFUSED/);
    assert.match(renderDrivers([]), /No driver runs on this instance/);
  });

  test('a drift report: counts, each kind, the drifts, the repairs and what is left; a dry run and a clean check say so', () => {
    const none = { 'missing-entry': 0, 'stale-entry': 0, 'wrong-state': 0, 'wrong-attributes': 0, 'newer-entry': 0, 'duplicate-entry': 0, 'unknown-entry': 0 };
    const missing = { kind: 'missing-entry' as const, accountId: 'a1', userName: 'karnor@uib.no', accountVersion: 2, entryVersion: null, detail: 'karnor@uib.no (account a1) version 2 (active) has no entry at ldap' };
    const unknown = { kind: 'unknown-entry' as const, accountId: 'x9', userName: 'old@uib.no', accountVersion: null, entryVersion: 4, detail: 'ldap holds old@uib.no for account x9 (version 4), which no account here has; left alone' };
    const base: DriftReport = {
      checkId: '20261206T120000Z-ab12', driver: 'ldap', dryRun: false, startedAt: '2026-12-06T12:00:00.000Z', endedAt: '2026-12-06T12:00:00.400Z', durationMs: 400,
      accounts: 5, entries: 5, drift: { ...none, 'missing-entry': 1, 'unknown-entry': 1 }, drifts: [missing, unknown],
      repairs: { applied: 1, unchanged: 0, failed: 0 }, failures: [], unresolved: 1, unresolvedDrifts: [unknown], outcome: 'unresolved',
    };
    const text = renderDrift(base, { group: 'g', behind: 3, caughtUp: false, lagging: [] });
    assert.match(text, /^Drift check 20261206T120000Z-ab12 of ldap, 2026-12-06T12:00:00\.000Z \.\. 2026-12-06T12:00:00\.400Z \(0\.4 s\)$/m);
    assert.match(text, /^ {2}driver {4}3 changes behind/m);
    assert.match(text, /^ {2}missing-entry {9}1$/m);
    assert.match(text, /^ {2}total {17}2$/m);
    assert.match(text, /^ {2}missing-entry {5}karnor@uib\.no \(account a1\) version 2 \(active\) has no entry at ldap$/m);
    assert.match(text, /repaired {2}1 accounts re-driven with their latest state: 1 written, 0 already there, 0 refused/);
    assert.match(text, /still there:\n {2}unknown-entry {5}ldap holds old@uib\.no/);
    assert.match(text, /drivers drift ldap: 2 drifts found; 1 left/);
    const dry = renderDrift({ ...base, dryRun: true, outcome: 'dry-run', repairs: { applied: 0, unchanged: 0, failed: 0 }, unresolved: 2, unresolvedDrifts: [missing, unknown] }, null);
    assert.match(dry, /of ldap \(dry run\)/);
    assert.doesNotMatch(dry, /repaired {2}/);
    assert.match(dry, /drivers drift ldap: 2 drifts found; dry run, nothing repaired/);
    const clean = renderDrift({ ...base, drift: none, drifts: [], repairs: { applied: 0, unchanged: 0, failed: 0 }, unresolved: 0, unresolvedDrifts: [], outcome: 'clean' }, { group: 'g', behind: 0, caughtUp: true, lagging: [] });
    assert.doesNotMatch(clean, /driver {4}/);
    assert.match(clean, /drivers drift ldap: no drift; ldap holds every account at its latest version/);
  });
});
