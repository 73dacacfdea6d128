/**
 * The demo's log lines: pino records as short human-readable lines, printed above a progress line
 * without breaking it (IGA_LOG_FORMAT=pretty).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { formatPretty } from '../../src/common/logFormat.ts';
import { TerminalStatus } from '../../src/common/terminalStatus.ts';

/** What a pino logger of the service writes, as records. */
function records(write: (log: pino.Logger) => void): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const root = pino({ level: 'debug', base: { service: 'iga-stream' } }, { write: (s: string) => { out.push(JSON.parse(s)); } });
  write(root.child({ instance: '4711' }));
  return out;
}

const at = (hh: number, mm: number, ss: number) => new Date(2026, 2, 1, hh, mm, ss).getTime();

test('a record is time, level, component, message and a few key fields', () => {
  const [held, down, summary, plain] = records((log) => {
    log.child({ component: 'brake' }).warn({ group: 'stillinger:3000|2026-03-01', causeKey: 'stillinger:3000', blocks: 14, reason: 'more than 10 blocks in one group' }, 'mass-change brake: blocks held for an operator');
    log.child({ component: 'ingress' }).warn({ dependency: 'rabbitmq', err: 'connect ECONNREFUSED 127.0.0.1:5672' }, 'RabbitMQ is down: connect ECONNREFUSED 127.0.0.1:5672');
    log.child({ component: 'streams' }).warn({ dependency: 'kafka', downForMs: 30_012, failures: 412, totalFailures: 500, sources: { streams: 300, ingress: 112 }, err: 'Connection timeout' },
      'Kafka still down after 30 s: 412 failures since the last report (streams 300, ingress 112); last: Connection timeout');
    log.info('iga-stream started');
  }).map((r) => ({ ...r, time: at(14, 3, 27) }));
  assert.equal(formatPretty(held!), '14:03:27 WARN  [brake] mass-change brake: blocks held for an operator  group=stillinger:3000|2026-03-01 causeKey=stillinger:3000 blocks=14 reason="more than 10 blocks in one group"');
  assert.equal(formatPretty(down!), '14:03:27 WARN  [ingress] RabbitMQ is down: connect ECONNREFUSED 127.0.0.1:5672');
  assert.equal(formatPretty(summary!), '14:03:27 WARN  [streams] Kafka still down after 30 s: 412 failures since the last report (streams 300, ingress 112); last: Connection timeout  downForMs=30012 totalFailures=500');
  assert.equal(formatPretty(plain!), '14:03:27 INFO  iga-stream started');
});

test('errors show their message; long values are cut; at most five fields; colour only when asked', () => {
  const [r] = records((log) => log.child({ component: 'streams' }).error({ err: new Error('Database is not open'), task: '1_2', a: 'x'.repeat(200), b: 1, c: [1, 2], d: { e: true }, f: 'too many' }, 'commit failed; rolled back'));
  const line = formatPretty({ ...r, time: at(9, 5, 0) });
  assert.equal(line, `09:05:00 ERROR [streams] commit failed; rolled back  err="Database is not open" task=1_2 a=${'x'.repeat(79)}… b=1 c=[1,2] …`);
  assert.equal(formatPretty({ ...r, time: at(9, 5, 0), level: 40 }, { color: true }).slice(9, 23), '\x1b[33mWARN \x1b[0m');
});

/** A terminal or a file: what was written, and the screen's last line as a terminal shows it. */
function screen(isTTY: boolean) {
  let written = '';
  return {
    isTTY,
    write(s: string) { written += s; return true; },
    get written() { return written; },
    /** Lines as a terminal shows them: `\r\x1b[2K` clears the current line. */
    get lines() {
      const shown: string[] = [''];
      for (const part of written.split(/(\r\x1b\[2K|\n)/)) {
        if (part === '\r\x1b[2K') shown[shown.length - 1] = '';
        else if (part === '\n') shown.push('');
        else shown[shown.length - 1] += part;
      }
      return shown;
    },
  };
}

test('on a terminal a printed line goes above the progress line, which is drawn again below it', () => {
  const tty = screen(true);
  const status = new TerminalStatus();
  status.show('  initial load: 10 notify events, 8 accounts, 1 s', tty);
  status.show('  initial load: 52 notify events, 40 accounts, 2 s', tty);
  status.print('14:03:27 WARN  [brake] mass-change brake: blocks held for an operator', tty);
  status.show('  initial load: 90 notify events, 71 accounts, 3 s', tty);
  assert.deepEqual(tty.lines, ['14:03:27 WARN  [brake] mass-change brake: blocks held for an operator', '  initial load: 90 notify events, 71 accounts, 3 s']);
  status.done();
  status.print('after', tty);
  assert.deepEqual(tty.lines, ['14:03:27 WARN  [brake] mass-change brake: blocks held for an operator', '  initial load: 90 notify events, 71 accounts, 3 s', 'after', '']);
});

test('off a terminal a printed line starts on a line of its own', () => {
  const file = screen(false);
  const status = new TerminalStatus();
  status.show('  HR changes: 3 notify events', file);
  status.print('a log line', file);
  status.show('  HR changes: 9 notify events', file);
  status.done();
  assert.equal(file.written, '\r  HR changes: 3 notify events\na log line\n\r  HR changes: 9 notify events\n');
});
