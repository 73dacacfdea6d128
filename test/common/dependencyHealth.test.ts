/**
 * Dependency health on a manual clock: the exact lines of an outage (down, summaries, back), the
 * settle rule, the gauge and the outage counter, and properties over random report sequences.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pino } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { DependencyHealth, formatDuration } from '../../src/common/dependencyHealth.ts';

interface Line { level: number; msg: string; component?: string; [k: string]: unknown }

/** A clock and timer queue that move only when told to. */
function manualClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  return {
    now: () => now,
    schedule(fn: () => void, ms: number) {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return () => { t.cancelled = true; };
    },
    /** Moves the clock by `ms`, running due timers in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        due.cancelled = true;
        now = due.at;
        due.fn();
      }
      now = until;
    },
  };
}

function setup(opts: { summaryEveryMs?: number; settleMs?: number } = {}) {
  const clock = manualClock();
  const registry = new Registry();
  const up = new Gauge({ name: 'iga_dependency_up', help: 'h', labelNames: ['dependency'], registers: [registry] });
  const outages = new Counter({ name: 'iga_dependency_outages_total', help: 'h', labelNames: ['dependency'], registers: [registry] });
  const health = new DependencyHealth({ summaryEveryMs: 30_000, settleMs: 2_000, ...opts, now: clock.now, schedule: clock.schedule, metrics: { up, outages } });
  const lines: Line[] = [];
  const root = pino({ level: 'info', base: null, timestamp: false }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const log = (component: string) => root.child({ component });
  const value = async (metric: Gauge | Counter, dependency: string) => (await metric.get()).values.find((v) => v.labels.dependency === dependency)?.value;
  return { clock, health, lines, log, gauge: (d: string) => value(up, d), outages: (d: string) => value(outages, d) };
}

const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';

test('an outage is one down line, a summary per interval with counts per component, and one back line', async () => {
  const { clock, health, lines, log, gauge, outages } = setup();
  const kafka = health.dependency('kafka');
  assert.equal(await gauge('kafka'), 1, 'a known dependency shows as up before any report');

  kafka.failure(new Error(REFUSED), log('streams'));
  assert.equal(await gauge('kafka'), 0);
  assert.equal(await outages('kafka'), 1);
  for (let i = 0; i < 10; i++) { clock.advance(1_000); kafka.failure(REFUSED, log('streams')); }
  for (let i = 0; i < 5; i++) { clock.advance(1_000); kafka.failure(REFUSED, log('ingress')); }
  clock.advance(14_000); // t = 29 s: still inside the first interval
  kafka.failure(REFUSED, log('explain'));
  assert.equal(lines.length, 1, 'nothing more within the interval');
  clock.advance(1_000); // t = 30 s
  kafka.failure('Connection timeout', log('ingress'));
  clock.advance(20_000); // t = 50 s
  kafka.failure(REFUSED, log('streams'));
  clock.advance(500);
  kafka.success(log('egress')); // t = 50.5 s: answers, but 2 s must pass without a failure
  clock.advance(1_000);
  kafka.failure(REFUSED, log('streams')); // t = 51.5 s: not yet back
  clock.advance(500);
  kafka.success(log('egress')); // t = 52 s
  kafka.success(log('streams'));
  assert.equal(await gauge('kafka'), 0, 'not back until nothing failed for 2 s');
  clock.advance(1_499);
  assert.equal(lines.length, 2);
  clock.advance(1); // t = 53.5 s = last failure + 2 s
  assert.deepEqual(lines, [
    { level: 40, component: 'streams', dependency: 'kafka', err: REFUSED, msg: `Kafka is down: ${REFUSED}` },
    {
      level: 40, component: 'ingress', dependency: 'kafka', downForMs: 30_000, failures: 17, totalFailures: 18,
      sources: { streams: 10, ingress: 6, explain: 1 }, err: 'Connection timeout',
      msg: 'Kafka still down after 30 s: 17 failures since the last report (streams 10, ingress 6, explain 1); last: Connection timeout',
    },
    { level: 30, component: 'egress', dependency: 'kafka', downForMs: 52_000, failures: 20, msg: 'Kafka is back after 52 s (20 failures)' },
  ]);
  assert.equal(await gauge('kafka'), 1);
  assert.equal(await outages('kafka'), 1);
});

test('an answer long after the last failure ends the outage at once; the next failure is a new outage', async () => {
  const { clock, health, lines, log, gauge, outages } = setup();
  const rabbitmq = health.dependency('rabbitmq');
  rabbitmq.failure(new Error('connect ECONNREFUSED 127.0.0.1:5672'), log('ingress'));
  clock.advance(8_000);
  rabbitmq.success(log('ingress'));
  assert.equal(await gauge('rabbitmq'), 1);
  rabbitmq.failure(new Error('read ECONNRESET'), log('egress'));
  assert.deepEqual(lines.map((l) => [l.level, l.component, l.msg]), [
    [40, 'ingress', 'RabbitMQ is down: connect ECONNREFUSED 127.0.0.1:5672'],
    [30, 'ingress', 'RabbitMQ is back after 8.0 s (1 failure)'],
    [40, 'egress', 'RabbitMQ is down: read ECONNRESET'],
  ]);
  assert.equal(await gauge('rabbitmq'), 0);
  assert.equal(await outages('rabbitmq'), 2);
});

test('the back line shows wherever the down line did: also on a logger at level warn, not at level error', () => {
  const { clock, health, lines, log } = setup();
  const rabbitmq = health.dependency('rabbitmq');
  const atWarn = log('ingress');
  atWarn.level = 'warn';
  rabbitmq.failure(new Error('connect ECONNREFUSED 127.0.0.1:5672'), atWarn);
  clock.advance(5_000);
  rabbitmq.success(atWarn);
  const atError = log('egress');
  atError.level = 'error';
  rabbitmq.failure(new Error('connect ECONNREFUSED 127.0.0.1:5672'), atError);
  clock.advance(5_000);
  rabbitmq.success(atError);
  assert.deepEqual(lines.map((l) => [l.level, l.component, l.msg]), [
    [40, 'ingress', 'RabbitMQ is down: connect ECONNREFUSED 127.0.0.1:5672'],
    [30, 'ingress', 'RabbitMQ is back after 5.0 s (1 failure)'],
  ]);
});

test('answers while a dependency is up change nothing; dependencies are independent', async () => {
  const { clock, health, lines, log, gauge } = setup();
  const dfo = health.dependency('dfo');
  const kafka = health.dependency('kafka');
  for (let i = 0; i < 1000; i++) dfo.success(log('dfo-client'));
  assert.equal(lines.length, 0);
  dfo.failure(new Error('DFØ http://gw/ansatte/1: HTTP 503'), log('dfo-client'));
  kafka.success(log('streams'));
  assert.equal(await gauge('dfo'), 0);
  assert.equal(await gauge('kafka'), 1);
  clock.advance(60_000);
  health.dependency('ldap').failure(new Error('connect ETIMEDOUT'), log('ldap-sync'));
  health.dependency('grouper').failure(new Error('HTTP 502'), log('groups'));
  assert.deepEqual(lines.map((l) => l.msg), ['DFØ API is down: DFØ http://gw/ansatte/1: HTTP 503', 'LDAP is down: connect ETIMEDOUT', 'grouper is down: HTTP 502']);
});

test('a failure with no message is described by its code, an AggregateError by its first error', () => {
  const { health, lines, log } = setup();
  health.dependency('a').failure(Object.assign(new Error(''), { code: 'ECONNREFUSED' }), log('x'));
  health.dependency('b').failure(new AggregateError([new Error('connect ECONNREFUSED ::1:5672'), new Error('connect ECONNREFUSED 127.0.0.1:5672')]), log('x'));
  assert.deepEqual(lines.map((l) => l.msg), ['a is down: ECONNREFUSED', 'b is down: connect ECONNREFUSED ::1:5672']);
});

test('durations read as an operator would say them', () => {
  assert.deepEqual([850, 8_200, 38_400, 252_000, 7_500_000].map(formatDuration), ['850 ms', '8.2 s', '38 s', '4 min 12 s', '2 h 5 min']);
});

type Step = { kind: 'failure' | 'success'; afterMs: number; component: 'streams' | 'ingress' | 'egress' };

test('property: lines alternate down, summaries, back; every failure is counted once; an answer after the last failure always ends the outage', async () => {
  const step = fc.record({ kind: fc.constantFrom<Step['kind']>('failure', 'success'), afterMs: fc.integer({ min: 0, max: 20_000 }), component: fc.constantFrom<Step['component']>('streams', 'ingress', 'egress') });
  await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1_000, max: 30_000 }), fc.integer({ min: 0, max: 5_000 }), async (steps, summaryEveryMs, settleMs) => {
    const { clock, health, lines, log, gauge, outages } = setup({ summaryEveryMs, settleMs });
    const kafka = health.dependency('kafka');
    // When each line was written: the clock, and how many failures had been reported by then.
    const at: Array<{ time: number; failures: number; lastFailureAt: number }> = [];
    let reported = 0;
    let lastFailureAt = -Infinity;
    const note = () => { while (at.length < lines.length) at.push({ time: clock.now(), failures: reported, lastFailureAt }); };
    for (const s of steps) {
      clock.advance(s.afterMs);
      note(); // lines a settle timer wrote during the advance
      if (s.kind === 'failure') {
        reported++;
        lastFailureAt = clock.now();
        kafka.failure(REFUSED, log(s.component));
      } else kafka.success(log(s.component));
      note();
    }
    clock.advance(settleMs);
    note();

    let state: 'up' | 'down' = 'up';
    let outageStart = 0; // failure count when the outage began
    let previous = 0; // line index of the previous line of this outage
    for (const [n, line] of lines.entries()) {
      if (line.msg.includes(' is down: ')) {
        assert.equal(state, 'up', 'down only from up');
        state = 'down';
        outageStart = at[n]!.failures;
      } else if (line.msg.includes(' still down ')) {
        assert.equal(state, 'down', 'summaries only while down');
        assert.ok(at[n]!.time - at[previous]!.time >= summaryEveryMs, 'summaries at most every interval');
        assert.equal(line.failures, at[n]!.failures - at[previous]!.failures, 'a summary counts the failures since the previous line');
      } else {
        assert.equal(state, 'down', 'back only from down');
        state = 'up';
        assert.equal(line.failures, at[n]!.failures - outageStart + 1, 'the back line counts every failure of the outage');
        assert.ok(at[n]!.time - at[n]!.lastFailureAt >= settleMs, 'back only after settleMs without a failure');
      }
      previous = n;
    }
    assert.equal((await outages('kafka')) ?? 0, lines.filter((l) => l.msg.includes(' is down: ')).length);
    assert.equal(await gauge('kafka'), state === 'up' ? 1 : 0);
    assert.equal(kafka.up, state === 'up');
    // Never stuck: it stays down exactly when no answer came after the last failure.
    const lastFailure = steps.findLastIndex((s) => s.kind === 'failure');
    const answeredAfter = lastFailure >= 0 && steps.slice(lastFailure + 1).some((s) => s.kind === 'success');
    assert.equal(state === 'down', lastFailure >= 0 && !answeredAfter);
  }), { numRuns: 300 });
});
