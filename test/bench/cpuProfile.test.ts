/**
 * The CPU profile tables of the benchmarks (bench/lib/cpuProfile.ts) on hand-built V8 profiles:
 * each sample's stack is one that the service's profiles hold (shortened), with its own duration,
 * so every component and step total below is the sum of known samples.
 */
import { describe, expect, it } from 'vitest';
import { componentOfUrl, formatSummary, sampleTimes, samplingIntervalUs, stepOfStack, summariseProfile, type CallFrame, type CpuProfile } from '../../bench/lib/cpuProfile.ts';

const ROOT = 'file:///work/iga';
const f = (functionName: string, url = ''): CallFrame => ({ functionName, url: url.startsWith('/') ? `${ROOT}${url}` : url, lineNumber: 0, columnNumber: 0 });
const NM = (path: string) => `/node_modules/${path}`;
const ticks = [f('processTicksAndRejections', 'node:internal/process/task_queues'), f('runMicrotasks')];

/**
 * A profile with `ms` samples of each stack (root first, the running frame last), 1 ms apart (the
 * sampling interval): the nodes form one tree under (root), the first sample 0.1 ms after the start.
 */
function profileOf(samples: Array<{ stack: CallFrame[]; ms: number }>): CpuProfile {
  const nodes: CpuProfile['nodes'] = [{ id: 1, callFrame: f('(root)'), children: [] }];
  const childByKey = new Map<string, number>();
  const nodeOf = (stack: CallFrame[]): number => {
    let at = 1;
    for (const frame of stack) {
      const key = `${at}|${frame.functionName}|${frame.url}`;
      let id = childByKey.get(key);
      if (id === undefined) {
        id = nodes.length + 1;
        nodes.push({ id, callFrame: frame, children: [] });
        nodes[at - 1]!.children!.push(id);
        childByKey.set(key, id);
      }
      at = id;
    }
    return at;
  };
  const ids = samples.flatMap((s) => Array.from({ length: s.ms }, () => nodeOf(s.stack)));
  const timeDeltas = ids.map((_, i) => (i === 0 ? 100 : 1000));
  const startTime = 1_000_000;
  return { nodes, startTime, endTime: startTime + 100 + ids.length * 1000, samples: ids, timeDeltas };
}

const samples: Array<{ stack: CallFrame[]; ms: number }> = [
  // A socket write of a DFØ GET a processor started: sockets, in the person step.
  { ms: 5, stack: [...ticks, f('process', '/src/topology/processors/personProcessor.ts'), f('getEmployee', '/connectors/dfo/client.ts'), f('writeGeneric', 'node:internal/stream_base_commons'), f('writeBuffer')] },
  // KafkaJS encoding a produce request after an await: KafkaJS, produce.
  { ms: 7, stack: [...ticks, f('encode', NM('kafkajs/src/protocol/requests/produce/v3/request.js')), f('writeUInt32', NM('kafkajs/src/protocol/encoder.js'))] },
  // The RocksDB binding's native write in a commit: RocksDB binding, commit.
  { ms: 11, stack: [...ticks, f('commit', '/src/runtime/internals/instanceCommitter.ts'), f('write', '/src/stores/rocksBytesStore.ts'), f('_writeSync', NM('@nxtedition/rocksdb/chained-batch.js')), f('batch_write')] },
  // A native stringify called by our serde in a task's drain: JSON, process (runtime).
  { ms: 2, stack: [...ticks, f('drain', '/src/runtime/internals/task.ts'), f('serialize', '/src/runtime/api/serde.ts'), f('stringify')] },
  // The URL parser's native parse in the DFØ client after an await: not JSON (node:internal/url: Node internals), dfo.
  { ms: 3, stack: [...ticks, f('httpGet', '/connectors/dfo/httpGet.ts'), f('URL', 'node:internal/url'), f('parse')] },
  // zod in the egress, called from KafkaJS's consumer: zod, egress (not fetch/poll).
  { ms: 4, stack: [...ticks, f('runner', NM('kafkajs/src/consumer/runner.js')), f('handle', '/connectors/egress/egress.ts'), f('parse', NM('zod/v4/core/schemas.js'))] },
  // The read-ahead helper above a processor's fetch: the processor's step, not the helper's.
  { ms: 6, stack: [...ticks, f('start', '/src/topology/processors/prefetcher.ts'), f('fetch', '/src/topology/processors/dfoEventProcessor.ts'), f('getPosition', '/connectors/dfo/datasource.ts')] },
  // A helper file alone: its own step, by file name.
  { ms: 1, stack: [...ticks, f('lookup', '/src/topology/processors/personDirectory.ts')] },
  // Fetch decoding: KafkaJS, fetch/poll.
  { ms: 8, stack: [...ticks, f('send', NM('kafkajs/src/network/connection.js')), f('decode', NM('kafkajs/src/protocol/requests/fetch/v11/response.js')), f('decode', NM('kafkajs/src/protocol/recordBatch/v0/decoder.js'))] },
  // Restore writing to a store: stores, restore.
  { ms: 9, stack: [...ticks, f('restoreStore', '/src/runtime/internals/restore.ts'), f('applyRecords', '/src/stores/rocksBytesStore.ts')] },
  // KafkaJS's transaction manager: KafkaJS, commit.
  { ms: 12, stack: [...ticks, f('commit', NM('kafkajs/src/producer/eosManager/index.js'))] },
  // taskManager: commitAll is commit, assign is not.
  { ms: 2, stack: [...ticks, f('commitAll', '/src/runtime/internals/taskManager.ts'), f('commit', '/src/runtime/internals/taskManager.ts')] },
  { ms: 3, stack: [...ticks, f('assign', '/src/runtime/internals/taskManager.ts')] },
  // pino's writer: pino, other.
  { ms: 1, stack: [...ticks, f('write', NM('sonic-boom/index.js'))] },
  // Another package (other), our code elsewhere (src/common), Node's buffers: each step other.
  { ms: 3, stack: [...ticks, f('observe', NM('prom-client/lib/histogram.js'))] },
  { ms: 2, stack: [...ticks, f('parseJsonValue', '/src/common/wireFormat.ts')] },
  { ms: 4, stack: [...ticks, f('FastBuffer', 'node:internal/buffer')] },
  // amqplib acking in the ingress: amqplib, ingress.
  { ms: 2, stack: [...ticks, f('flush', '/connectors/ingress/ingress.ts'), f('ack', NM('amqplib/lib/channel_model.js'))] },
  // Username rules in the registry: IGA rules, username-registry.
  { ms: 4, stack: [...ticks, f('process', '/src/topology/processors/usernameRegistry.ts'), f('chooseUsername', '/src/iga/usernameChoice.ts')] },
  // A processor file not named in the table: its step from the file name.
  { ms: 1, stack: [...ticks, f('process', '/src/topology/processors/fooBarProcessor.ts')] },
  // A Kafka request written to its socket after an await: sockets, kafka I/O.
  { ms: 6, stack: [...ticks, f('sendRequest', NM('kafkajs/src/network/connection.js')), f('Socket._write', 'node:net'), f('writeBuffer')] },
  // V8's own: idle (not busy), GC, program.
  { ms: 50, stack: [f('(idle)')] },
  { ms: 10, stack: [f('(garbage collector)')] },
  { ms: 1, stack: [f('(program)')] },
];
const BUSY = 5 + 7 + 11 + 2 + 3 + 4 + 6 + 1 + 8 + 9 + 12 + 2 + 3 + 1 + 3 + 2 + 4 + 2 + 4 + 1 + 6 + 10 + 1; // 107
const pct = (ms: number) => Math.round((ms / BUSY) * 100_000) / 1000;

describe('summariseProfile', () => {
  const summary = summariseProfile(profileOf(samples));
  const component = (name: string) => summary.components.find((c) => c.name === name);
  const step = (name: string) => summary.steps.find((s) => s.name === name);

  it('sums busy and idle time', () => {
    expect(BUSY).toBe(107);
    expect(summary).toMatchObject({ intervalUs: 1000, samples: 157, busyMs: 107, idleMs: 50, sampledMs: 157, gapMs: 0 });
  });

  it('charges self time to the top frame, a native frame to its nearest caller with a URL', () => {
    const expected: Record<string, number> = {
      'HTTP client/sockets': 5 + 6, KafkaJS: 7 + 8 + 12, 'RocksDB binding': 11, JSON: 2, zod: 4, connectors: 6, 'topology (src/topology)': 1 + 1,
      'stores (src/stores)': 9, 'runtime (src/runtime)': 2 + 3, pino: 1, amqplib: 2, 'IGA rules (src/iga)': 4, GC: 10, program: 1,
      'Node internals': 3 + 4, 'our other code': 2, other: 3, 'module loading': 0,
    };
    for (const [name, ms] of Object.entries(expected)) expect({ name, ms: component(name)?.ms, pct: component(name)?.percentOfBusy }).toEqual({ name, ms, pct: pct(ms) });
    expect(component('idle')).toEqual({ name: 'idle', ms: 50, percentOfBusy: null });
    expect(summary.components.reduce((a, c) => a + c.ms, 0)).toBe(157);
  });

  it('charges inclusive time to the step of the stack', () => {
    const expected: Record<string, number> = {
      person: 5, produce: 7, commit: 11 + 12 + 2, 'process (runtime)': 2, dfo: 3, egress: 4, 'dfo-events': 6, 'person-directory': 1, 'fetch/poll': 8,
      restore: 9, other: 3 + 1 + 3 + 2 + 4 + 10 + 1, ingress: 2, 'username-registry': 4, 'foo-bar': 1, 'kafka I/O': 6, account: 0, brake: 0, 'amqp I/O': 0,
    };
    for (const [name, ms] of Object.entries(expected)) expect({ name, ms: step(name)?.ms, pct: step(name)?.percentOfBusy }).toEqual({ name, ms, pct: pct(ms) });
    expect(summary.steps.reduce((a, s) => a + s.ms, 0)).toBe(107);
    expect(step('commit')!.components).toEqual({ KafkaJS: 12, 'RocksDB binding': 11, 'runtime (src/runtime)': 2 });
    expect(step('other')!.components).toEqual({ GC: 10, 'Node internals': 4, 'runtime (src/runtime)': 3, other: 3, 'our other code': 2, pino: 1, program: 1 });
  });

  it('orders the steps as the pipeline runs, processors not in the table after brake', () => {
    expect(summary.steps.map((s) => s.name)).toEqual([
      'ingress', 'dfo-events', 'person', 'username-registry', 'account', 'brake', 'foo-bar', 'person-directory',
      'dfo', 'process (runtime)', 'commit', 'produce', 'fetch/poll', 'restore', 'egress', 'kafka I/O', 'amqp I/O', 'other',
    ]);
  });

  it('lists the functions with the most self time', () => {
    expect(summary.topFunctions.slice(0, 3).map((t) => [t.functionName, t.location, t.component, t.ms])).toEqual([
      ['commit', 'kafkajs/src/producer/eosManager/index.js:1', 'KafkaJS', 12],
      ['batch_write', '', 'RocksDB binding', 11],
      ['writeBuffer', '', 'HTTP client/sockets', 11],
    ]);
  });

  it('formats both tables with ms and % of busy time', () => {
    const text = formatSummary(summary);
    expect(text).toContain('| KafkaJS | 27 | 25.2 % |');
    expect(text).toContain('| idle | 50 | – |');
    expect(text).toContain('| commit | 25 | 23.4 % | KafkaJS 48 %, RocksDB binding 44 %, runtime (src/runtime) 8 % |');
    expect(formatSummary(summary, { compact: true })).not.toContain('| account |');
  });
});

describe('sample times, gaps and windows', () => {
  // Raw: samples at +100, +1100, +1000 (a negative delta, as V8 sometimes writes), +4100 µs; end +5100.
  // Interval: the lower median of the positive gaps 1000 and 3100.
  const raw: CpuProfile = {
    nodes: [
      { id: 1, callFrame: f('(root)'), children: [2, 3] },
      { id: 2, callFrame: f('(idle)') },
      { id: 3, callFrame: f('work', '/src/iga/policy.ts') },
    ],
    startTime: 500, endTime: 5600, samples: [3, 3, 2, 3], timeDeltas: [100, 1000, -100, 3100],
  };

  it('knows the time from each sample to the next, never less than nothing', () => {
    expect(sampleTimes(raw)).toEqual([
      { node: 3, atUs: 600, untilNextUs: 1000 }, { node: 3, atUs: 1600, untilNextUs: 0 }, { node: 2, atUs: 1500, untilNextUs: 3100 }, { node: 3, atUs: 4600, untilNextUs: 1000 },
    ]);
    expect(samplingIntervalUs(raw)).toBe(1000);
  });

  it('counts each sample for one interval and a longer wait for the next as a gap', () => {
    expect(summariseProfile(raw)).toMatchObject({ intervalUs: 1000, samples: 4, busyMs: 3, idleMs: 1, gapMs: 1.1 });
    expect(summariseProfile(raw, { intervalUs: 500 })).toMatchObject({ busyMs: 1.5, idleMs: 0.5, gapMs: 2.1 });
  });

  it('sums only the samples taken inside the window', () => {
    const w = summariseProfile(raw, { fromUs: 1000, toUs: 4600 });
    expect(w).toMatchObject({ samples: 2, busyMs: 1, idleMs: 1, gapMs: 1.1, window: { startUs: 1000, endUs: 4600, ms: 3.6 } });
    expect(summariseProfile(raw, { fromUs: 4600 })).toMatchObject({ samples: 1, busyMs: 1, idleMs: 0, gapMs: 0 });
  });
});

describe('component and step rules', () => {
  it('finds our folders under a checkout whose path holds `connectors`', () => {
    expect(componentOfUrl('file:///home/me/connectors/iga-stream/src/iga/username.ts')).toBe('IGA rules (src/iga)');
    expect(componentOfUrl('file:///home/me/iga-stream/node_modules/pino/lib/proto.js')).toBe('pino');
    expect(componentOfUrl('file:///home/me/iga-stream/node_modules/@nxtedition/rocksdb/index.js')).toBe('RocksDB binding');
    expect(componentOfUrl('file:///home/me/iga-stream/node_modules/prom-client/lib/gauge.js')).toBe('other');
    expect(componentOfUrl('node:_http_client')).toBe('HTTP client/sockets');
    expect(componentOfUrl('node:internal/deps/undici/undici')).toBe('HTTP client/sockets');
    expect(componentOfUrl('node:internal/streams/readable')).toBe('Node internals');
    expect(componentOfUrl('node:internal/modules/esm/loader')).toBe('module loading');
    expect(componentOfUrl('file:///home/me/iga-stream/src/scim/filter.ts')).toBe('our other code');
    expect(componentOfUrl('')).toBeNull();
  });

  it('counts Node\'s HTTP client as the DFØ step, and AMQP frames outside the bridges as amqp I/O', () => {
    expect(stepOfStack([f('onIncoming', 'node:_http_client'), ...[...ticks].reverse()])).toBe('dfo');
    expect(stepOfStack([f('roundrobin', `${ROOT}${NM('amqplib/lib/mux.js')}`), f('processImmediate', 'node:internal/timers')])).toBe('amqp I/O');
  });
});
