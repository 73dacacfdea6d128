/**
 * The overview's numbers from this process's Prometheus series (filtered by app), the lag from the
 * instance status, rates from the last two samples, and a history that keeps only `keepMs`.
 */
import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { counter, gauge } from '../../../src/common/metrics.ts';
import { startOverviewSource, type OverviewSource } from '../../../src/features/console/overviewSource.ts';
import type { InstanceStatus } from '../../../src/features/status/status.ts';

const APP = 'overview-test';
const processed = counter('iga_streams_records_processed_total', 'Input records processed', ['app', 'subtopology']);
const up = gauge('iga_dependency_up', '1 while the dependency answers', ['dependency']);

const status = (behindRaw: number): InstanceStatus => ({
  instance: 'i-1', app: APP, startedAt: '2026-03-02T09:00:00.000Z', uptimeSeconds: 42, ready: false, parts: { streams: true, ingress: false },
  streams: { state: 'running', tasks: ['0_0', '1_0'] },
  progress: { topology: { group: APP, behind: behindRaw, caughtUp: behindRaw === 0, lagging: behindRaw ? [{ topic: `${APP}.dfo.events`, behind: behindRaw }] : [] }, egress: null },
  replicas: {}, ingress: null, egress: null, brake: null, reconcile: null, deadLetterOffsets: 3,
  drivers: { ldap: { group: `${APP}.driver.ldap`, applied: 5, unchanged: 1, failed: 0, skipped: 0, retries: 2, retrying: 1, lastError: 'connect ECONNREFUSED' } },
});

describe('overview source', () => {
  let source: OverviewSource | undefined;
  afterEach(() => source?.close());

  test('counts, lag, health and rates of this app; the history keeps only the last keepMs', async () => {
    let now = 1_000_000;
    let behind = 7;
    processed.inc({ app: 'another-app', subtopology: '0' }, 1000);
    processed.inc({ app: APP, subtopology: '0' }, 10);
    processed.inc({ app: APP, subtopology: '1' }, 4);
    up.set({ dependency: 'kafka' }, 1);
    up.set({ dependency: 'dfo' }, 0);
    source = startOverviewSource({
      appId: APP, instance: 'i-1', status: async () => status(behind), accounts: () => ({ total: 12, active: 9 }),
      topics: { raw: `${APP}.dfo.events`, personEvents: 'pe', accountInputs: 'ai', usernameClaims: 'uc', brake: 'br' },
      sampleMs: 3_600_000, keepMs: 10_000, now: () => now,
    });
    // The first sample is taken at start (asynchronously).
    await new Promise((r) => setTimeout(r, 20));
    let snap = await source.snapshot();
    const step = (id: string) => snap.steps.find((s) => s.id === id)!;
    assert.deepEqual([step('A').count, step('B').count, step('A').behind, step('B').behind, step('A').rate], [10, 4, 7, 0, null]);
    assert.equal(step('ingress').count, null, 'no ingress on this instance');
    assert.equal(step('accounts').count, 12);
    assert.equal(step('driver-ldap').count, 6);
    assert.deepEqual(snap.accounts, { total: 12, active: 9 });
    assert.equal(snap.deadLetters, 3);
    const health = Object.fromEntries(snap.health.map((h) => [h.name, h.up]));
    assert.deepEqual(health, { Kafka: true, RabbitMQ: null, 'DFØ API': false, 'Driver ldap': false, 'Instance i-1': false });
    assert.match(snap.health.find((h) => h.name === 'Instance i-1')!.detail, /ingress not ready/);

    // Two seconds later, 20 more records in step A: 10 per second.
    now += 2000;
    processed.inc({ app: APP, subtopology: '0' }, 20);
    behind = 0;
    await source.sample();
    snap = await source.snapshot();
    assert.equal(snap.steps.find((s) => s.id === 'A')!.rate, 10);
    assert.equal(snap.steps.find((s) => s.id === 'A')!.behind, 0);
    assert.equal(source.history().length, 2);
    const plots = await source.plots();
    assert.equal(plots.source, 'memory');
    assert.deepEqual(plots.points.map((p) => [p.processed, p.behind, p.deadLetters]), [[null, 0, 0], [10, 0, 0]]);
    now += 20_000;
    await source.sample();
    assert.equal(source.history().length, 1, 'samples older than keepMs are dropped');
  });

  test('the other instances of the group, as Kafka lists them; a failing listing says so', async () => {
    const deps = {
      appId: APP, instance: 'i-1', status: async () => status(0), accounts: () => ({ total: 0, active: 0 }),
      topics: { raw: 'r', personEvents: 'p', accountInputs: 'a', usernameClaims: 'u', brake: 'b' }, sampleMs: 3_600_000, keepMs: 10_000,
    };
    source = startOverviewSource({ ...deps, members: async () => [{ clientId: `${APP}-i-1`, host: '10.0.0.1', partitions: 6 }, { clientId: `${APP}-i-2`, host: '10.0.0.2', partitions: 6 }] });
    const lines = (await source.snapshot()).health.filter((h) => h.name.startsWith('Instance'));
    assert.deepEqual(lines.map((h) => [h.name, h.up, h.detail]), [
      ['Instance i-1', false, 'ingress not ready (this one)'],
      ['Instance i-2', true, 'in the group from 10.0.0.2, 6 partitions'],
    ]);
    source.close();
    source = startOverviewSource({ ...deps, members: async () => { throw new Error('coordinator not available'); } });
    const failed = (await source.snapshot()).health.find((h) => h.name === 'Other instances')!;
    assert.deepEqual([failed.up, failed.detail], [null, 'Kafka did not list the group\'s members: coordinator not available']);
  });
});
