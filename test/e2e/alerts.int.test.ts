/**
 * deploy/prometheus/alerts.yml against a running service: every iga_* metric an alert reads is
 * exported on /metrics, every label it matches on is one of that metric's labels, and the
 * topology's input lag (computed on scrape) is there for the app.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import client from 'prom-client';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { ansatt, startStack, stilling, type Stack } from './stack.ts';
import { eventually } from '../support/brokers.ts';

const rules = readFileSync(new URL('../../deploy/prometheus/alerts.yml', import.meta.url), 'utf8');
const exprs = [...rules.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!);

let s: Stack;
beforeAll(async () => {
  s = await startStack({ start: '2026-03-02T09:00:00Z' });
  await s.sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
  await s.sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', '9999-12-31']]), { notify: true });
  await eventually('the CREATE', () => s.events.some((e) => e.body.type === 'CREATE'), 60_000);
  await s.quiesce();
});
afterAll(async () => { await s?.close(); });

test('the alert rules read only metrics and labels the service exports', async () => {
  assert.ok(exprs.length >= 8, `${exprs.length} alert expressions`);
  const text = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
  for (const expr of exprs) {
    for (const [, name, matchers] of expr.matchAll(/\b(iga_[a-z_]+)(\{[^}]*\})?/g)) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} (in: ${expr}) is exported`);
      const metric = client.register.getSingleMetric(name!) as unknown as { labelNames: string[] } | undefined;
      for (const [, label] of (matchers ?? '').matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g)) {
        assert.ok(metric?.labelNames.includes(label!), `${name} has the label ${label} (in: ${expr})`);
      }
    }
  }
});

test('iga_streams_input_lag_offsets reports each input topic of the app, computed on scrape', async () => {
  const text = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
  const raw = new RegExp(`^iga_streams_input_lag_offsets\\{app="${s.appId}",topic="${topicNames(s.appId).raw.replaceAll('.', '\\.')}"\\} (\\d+)$`, 'm');
  const m = raw.exec(text);
  assert.ok(m, 'the raw topic has a lag series');
  // Everything is processed: what is left are transaction markers, at most a few per partition.
  assert.ok(Number(m[1]) <= 3 * 3 * 4, `raw topic lag ${m[1]}`);
});
