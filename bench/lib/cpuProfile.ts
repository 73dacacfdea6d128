/**
 * Where a process's CPU went, from a V8 CPU profile (Node's `--cpu-prof`, a `.cpuprofile` file):
 * a table per component (self time of each sample's top frame: which library or part of ours was
 * running) and a table per step (inclusive time: which part of the pipeline the sample worked for,
 * judged from its whole stack). Pure functions over the parsed profile; bench/profile.ts is the
 * command line, bench/lib/benchProfile.ts what the benchmarks use.
 *
 * Time per sample: every sample counts for the profile's sampling interval (the median gap between
 * samples, 1 ms by default), so a row's ms are its samples × the interval: an estimate of the main
 * thread's CPU time. Chrome's DevTools charge a sample the time until the next one instead; on a
 * loaded machine that charges the time the process waited for a core to whatever ran before (in a
 * smoke run at load average 20, half of a profile's time was in gaps of more than 10 ms between
 * samples). Such gaps are reported apart (`gapMs`: the time beyond two intervals before the next
 * sample), a measure of how starved the process was. Busy time is every sample but `(idle)`;
 * percentages are of busy time.
 *
 * What a profile cannot say:
 * - Stacks end at the last `await`: code that resumes after one has only the async function's own
 *   frames and the microtask queue below it. So KafkaJS's encoding of a commit's produce request or
 *   the DFØ client's parsing of an answer are not under the processor or the commit that started
 *   them; the steps `produce`, `fetch/poll` and `dfo` name such work by what it is instead.
 * - V8's sampler charges builtins such as JSON.parse and JSON.stringify to the JavaScript function
 *   that called them (checked on Node 24: a loop of JSON calls shows no frame of their own), so
 *   the `JSON` component only counts native frames so named, rarely any; JSON work shows up as
 *   self time of its caller (a serde in the runtime, the contracts).
 */

export interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId?: string }
export interface ProfileNode { id: number; callFrame: CallFrame; children?: number[]; hitCount?: number }
/** The parsed `.cpuprofile`: timestamps in µs of the monotonic clock (process.hrtime's). */
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** Components, in the order the tables show them. */
export const COMPONENTS = [
  'KafkaJS', 'RocksDB binding', 'amqplib', 'HTTP client/sockets', 'zod', 'pino', 'JSON', 'GC', 'idle', 'program',
  'runtime (src/runtime)', 'stores (src/stores)', 'topology (src/topology)', 'IGA rules (src/iga)', 'connectors', 'our other code', 'Node internals', 'module loading', 'other',
] as const;
export type Component = (typeof COMPONENTS)[number];

/** The processors' steps by file (src/topology/processors/<file>.ts); other files there by their name. */
const PROCESSOR_STEPS = new Map([
  ['dfoEventProcessor', 'dfo-events'], ['personProcessor', 'person'], ['usernameRegistry', 'username-registry'], ['accountProcessor', 'account'], ['brakeProcessor', 'brake'],
]);
/** Steps in the order the tables show them; a processor file not named here comes after `brake`. */
export const STEP_ORDER = [
  'ingress', 'dfo-events', 'person', 'username-registry', 'account', 'brake', 'dfo', 'process (runtime)', 'commit', 'produce', 'fetch/poll', 'restore', 'egress', 'kafka I/O', 'amqp I/O', 'other',
] as const;

const PINO_PACKAGES = new Set(['pino', 'sonic-boom', 'thread-stream', 'pino-std-serializers', '@pinojs/redact', 'fast-redact', 'quick-format-unescaped', 'atomic-sleep', 'on-exit-leak-free', 'safe-stable-stringify', 'pino-abstract-transport']);
/** The RocksDB binding and the abstract-level base class its JavaScript side is built on. */
const ROCKSDB_PACKAGES = new Set(['@nxtedition/rocksdb', 'abstract-level', 'level-transcoder', 'module-error', 'catering', 'level-supports']);
/** Node's HTTP and socket modules: the DFØ GETs, the Kafka and AMQP connections. */
const SOCKET_MODULE = /^node:(https?|_http_\w+|net|tls|_tls_\w+|dns|internal\/(https?|http2?|net|tls|dns|stream_base_commons|deps\/undici|deps\/llhttp)\b)/;

/** The package a `node_modules` URL belongs to (scoped packages with their scope), or null. */
export function packageOf(url: string): string | null {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * The component of a frame that has a URL (JavaScript); null for a native or V8-internal frame
 * (no URL), whose time belongs to the JavaScript that called it. Our code is found by its folder
 * anywhere in the path (src/… before connectors/, so a checkout under a folder named `connectors`
 * still sorts src/ right); any other file outside node_modules is `our other code` (src/common,
 * src/app, src/scim, …), any other Node module `Node internals` (buffers, streams, timers, events,
 * the microtask queue), any other package or a URL of another kind `other`.
 */
export function componentOfUrl(url: string): Component | null {
  if (url === '') return null;
  const pkg = packageOf(url);
  if (pkg !== null) {
    if (pkg === 'kafkajs') return 'KafkaJS';
    if (ROCKSDB_PACKAGES.has(pkg)) return 'RocksDB binding';
    if (pkg === 'amqplib') return 'amqplib';
    if (pkg === 'zod') return 'zod';
    if (PINO_PACKAGES.has(pkg)) return 'pino';
    return 'other';
  }
  if (SOCKET_MODULE.test(url)) return 'HTTP client/sockets';
  if (/^(node:internal\/modules\/|node:internal\/deps\/amaro\/|wasm:\/\/)/.test(url)) return 'module loading';
  if (url.includes('/src/runtime/')) return 'runtime (src/runtime)';
  if (url.includes('/src/stores/')) return 'stores (src/stores)';
  if (url.includes('/src/topology/')) return 'topology (src/topology)';
  if (url.includes('/src/iga/')) return 'IGA rules (src/iga)';
  if (url.includes('/src/connectors/') || url.includes('/connectors/')) return 'connectors';
  if (url.startsWith('node:')) return 'Node internals';
  if (url.startsWith('file://')) return 'our other code';
  return 'other';
}

const SPECIAL_FRAMES = new Map<string, Component>([['(idle)', 'idle'], ['(garbage collector)', 'GC'], ['(program)', 'program'], ['(root)', 'other']]);

interface Indexed { byId: Map<number, ProfileNode>; parent: Map<number, number> }

function index(profile: CpuProfile): Indexed {
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { byId, parent };
}

/** The frames of node `id`'s stack, the top (running) frame first, the root last. */
function stackOf(id: number, ix: Indexed): CallFrame[] {
  const frames: CallFrame[] = [];
  for (let at: number | undefined = id; at !== undefined; at = ix.parent.get(at)) frames.push(ix.byId.get(at)!.callFrame);
  return frames;
}

/**
 * The component a sample's self time goes to, from its stack (top frame first): the top frame's,
 * or for a native frame (no URL: a C++ binding or a regular expression) that of the nearest caller
 * with a URL (the RocksDB binding's native calls, a socket's writeBuffer). A native `parse` or
 * `stringify` called from outside Node's own modules is JSON (the URL parser's native `parse`,
 * called by node:internal/url, is not).
 */
export function componentOfStack(frames: readonly CallFrame[]): Component {
  const top = frames[0];
  if (!top) return 'other';
  const special = SPECIAL_FRAMES.get(top.functionName);
  if (special && top.url === '') return special;
  for (let i = 0; i < frames.length; i++) {
    const c = componentOfUrl(frames[i]!.url);
    if (c === null) continue;
    if (i > 0 && (top.functionName === 'parse' || top.functionName === 'stringify') && !frames[i]!.url.startsWith('node:')) return 'JSON';
    return c;
  }
  return 'other';
}

/** kebab-case of a file name: personDirectory → person-directory. */
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const PROCESSOR_FILE = /\/src\/topology\/processors\/([^/]+)\.ts$/;
const COMMIT_FILE = /\/src\/runtime\/(internals\/(instanceCommitter|kafkaCommitter|atLeastOnceCommitter)|kafka\/protocol\/txnOffsetCommitV3)\.ts$/;
const COMMIT_FUNCTION_FILE = /\/src\/runtime\/internals\/(taskManager|task)\.ts$/;
const KAFKAJS_TXN = /\/kafkajs\/src\/(producer\/eosManager\/|protocol\/requests\/(addPartitionsToTxn|addOffsetsToTxn|txnOffsetCommit|endTxn|initProducerId)\/)/;
const KAFKAJS_FETCH = /\/kafkajs\/src\/(consumer\/|protocol\/requests\/fetch\/|protocol\/(recordBatch\/.*decoder|message\/.*decoder|messageSet\/decoder))|\/src\/runtime\/kafka\/partitionReader\.ts$/;
const KAFKAJS_PRODUCE = /\/kafkajs\/src\/(producer\/|protocol\/requests\/produce\/|protocol\/recordBatch\/)/;

/**
 * The step a sample worked for, from its whole stack; the first rule that matches:
 * 1. a frame of a processor file (src/topology/processors/*Processor.ts, usernameRegistry.ts):
 *    that processor's step (dfo-events, person, username-registry, account, brake; another
 *    `fooProcessor.ts` → `foo`); else a frame of another file there (prefetcher, personDirectory):
 *    its name in kebab-case;
 * 2. `commit`: the runtime's commit path (instanceCommitter, kafkaCommitter, atLeastOnceCommitter,
 *    TxnOffsetCommit v3, `commit…` of taskManager.ts and task.ts) or KafkaJS's transaction
 *    requests (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn, InitProducerId);
 * 3. `restore`: src/runtime/internals/restore.ts;
 * 4. `ingress` / `egress`: the RabbitMQ → Kafka and Kafka → RabbitMQ bridges (connectors/ingress,
 *    connectors/egress);
 * 5. `dfo`: the DFØ client (connectors/dfo) outside a processor's stack, and Node's HTTP client
 *    (node:_http_client, _http_agent: on the bench's path only the DFØ GETs use it): answers
 *    arriving, parsed and validated after the await that cut the stack;
 * 6. `process (runtime)`: the stream thread's and tasks' handling of fetched records outside a
 *    processor (streamThread.ts, task.ts: deserialising, routing, serialising outputs);
 * 7. `fetch/poll`: KafkaJS's consumer and fetch decoding, and the runtime's partition reader;
 * 8. `produce`: KafkaJS's producer and produce-request encoding whose stack was cut from its
 *    caller (outputs go to Kafka at commit, so mostly the commit's sends; the ingress's too);
 * 9. `kafka I/O` / `amqp I/O`: any other KafkaJS or amqplib frame: requests and frames written to
 *    and read from the sockets, metadata, heartbeats, acks and confirms;
 * 10. `other`: everything else, GC and `(program)` included.
 */
export function stepOfStack(frames: readonly CallFrame[]): string {
  let helper: string | null = null;
  for (const f of frames) {
    const m = PROCESSOR_FILE.exec(f.url);
    if (!m) continue;
    const file = m[1]!;
    const named = PROCESSOR_STEPS.get(file);
    if (named) return named;
    if (file.endsWith('Processor')) return kebab(file.slice(0, -'Processor'.length));
    helper ??= kebab(file);
  }
  if (helper) return helper;
  const has = (test: (f: CallFrame) => boolean) => frames.some(test);
  if (has((f) => COMMIT_FILE.test(f.url) || KAFKAJS_TXN.test(f.url) || (COMMIT_FUNCTION_FILE.test(f.url) && /^commit/.test(f.functionName)))) return 'commit';
  if (has((f) => f.url.endsWith('/src/runtime/internals/restore.ts'))) return 'restore';
  if (has((f) => /\/connectors\/ingress\//.test(f.url))) return 'ingress';
  if (has((f) => /\/connectors\/egress\//.test(f.url))) return 'egress';
  if (has((f) => /\/connectors\/dfo\//.test(f.url) || /^node:_http_(client|agent)$/.test(f.url))) return 'dfo';
  if (has((f) => /\/src\/runtime\/internals\/(streamThread|task)\.ts$/.test(f.url))) return 'process (runtime)';
  if (has((f) => KAFKAJS_FETCH.test(f.url))) return 'fetch/poll';
  if (has((f) => KAFKAJS_PRODUCE.test(f.url))) return 'produce';
  if (has((f) => packageOf(f.url) === 'kafkajs')) return 'kafka I/O';
  if (has((f) => packageOf(f.url) === 'amqplib')) return 'amqp I/O';
  return 'other';
}

export interface Row { name: string; ms: number; percentOfBusy: number | null }
export interface FunctionRow extends Row { functionName: string; location: string; component: Component }
export interface StepRow extends Row { components: Record<string, number> }

export interface ProfileSummary {
  /** The part of the profile summed, µs of the monotonic clock; `ms` its wall-clock length. */
  window: { startUs: number; endUs: number; ms: number };
  /** What each sample counts for (the median gap between samples). */
  intervalUs: number;
  samples: number;
  /** samples × interval, of which busy (all but idle) and idle. */
  sampledMs: number;
  busyMs: number;
  idleMs: number;
  /** Time with no samples: per sample, the wait for the next beyond two intervals (a starved process). */
  gapMs: number;
  components: Row[];
  /** Busy time only (idle is no step); each with its time per component, ms. */
  steps: StepRow[];
  /** The functions with the most self time, busy only. */
  topFunctions: FunctionRow[];
}

export interface SummaryOptions {
  /** Only samples taken at or after this time (µs, the profile's clock = process.hrtime in µs). */
  fromUs?: number;
  /** Only samples taken before this time. */
  toUs?: number;
  /** How many functions in `topFunctions` (15). */
  topFunctions?: number;
  /** What each sample counts for (µs); by default the profile's median gap between samples. */
  intervalUs?: number;
}

/** Each sample's node id, timestamp and the time until the next sample or the profile's end (µs; never negative: V8's deltas can be). */
export function sampleTimes(profile: CpuProfile): Array<{ node: number; atUs: number; untilNextUs: number }> {
  const out: Array<{ node: number; atUs: number; untilNextUs: number }> = [];
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    out.push({ node: profile.samples[i]!, atUs: at, untilNextUs: 0 });
  }
  for (let i = 0; i < out.length; i++) out[i]!.untilNextUs = Math.max(0, (i + 1 < out.length ? out[i + 1]!.atUs : profile.endTime) - out[i]!.atUs);
  return out;
}

/** The sampling interval: the median of the positive gaps between samples (the lower one of two); 1 ms without any. */
export function samplingIntervalUs(profile: CpuProfile): number {
  const gaps = profile.timeDeltas.slice(1).filter((d) => d > 0).sort((a, b) => a - b);
  return gaps.length > 0 ? gaps[Math.floor((gaps.length - 1) / 2)]! : 1000;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The component and step tables of `profile` (optionally of a window of it). */
export function summariseProfile(profile: CpuProfile, opts: SummaryOptions = {}): ProfileSummary {
  const ix = index(profile);
  const from = opts.fromUs ?? -Infinity;
  const to = opts.toUs ?? Infinity;
  const intervalUs = opts.intervalUs ?? samplingIntervalUs(profile);
  // Per distinct node: its classification once, then the time of its samples.
  const perNode = new Map<number, { us: number }>();
  let samples = 0;
  let gapUs = 0;
  for (const s of sampleTimes(profile)) {
    if (s.atUs < from || s.atUs >= to) continue;
    samples++;
    gapUs += Math.max(0, s.untilNextUs - 2 * intervalUs);
    const acc = perNode.get(s.node) ?? { us: 0 };
    acc.us += intervalUs;
    perNode.set(s.node, acc);
  }
  const components = new Map<string, number>(COMPONENTS.map((c) => [c, 0]));
  const steps = new Map<string, Map<string, number>>(STEP_ORDER.map((s) => [s, new Map()]));
  const functions = new Map<string, { frame: CallFrame; component: Component; us: number }>();
  for (const [node, { us }] of perNode) {
    const frames = stackOf(node, ix);
    const component = componentOfStack(frames);
    components.set(component, components.get(component)! + us);
    if (component === 'idle') continue;
    const step = stepOfStack(frames);
    const byComponent = steps.get(step) ?? new Map<string, number>();
    byComponent.set(component, (byComponent.get(component) ?? 0) + us);
    steps.set(step, byComponent);
    const top = frames[0]!;
    const key = `${top.functionName}\u0000${top.url}\u0000${top.lineNumber}`;
    const f = functions.get(key) ?? { frame: top, component, us: 0 };
    f.us += us;
    functions.set(key, f);
  }
  const sampledUs = [...components.values()].reduce((a, b) => a + b, 0);
  const idleUs = components.get('idle')!;
  const busyUs = sampledUs - idleUs;
  const pct = (us: number) => (busyUs > 0 ? round((us / busyUs) * 100) : 0);
  const stepOrder = (name: string) => {
    const i = (STEP_ORDER as readonly string[]).indexOf(name);
    return i >= 0 ? i : STEP_ORDER.indexOf('brake') + 0.5;
  };
  const windowStart = Number.isFinite(from) ? from : profile.startTime;
  const windowEnd = Number.isFinite(to) ? Math.min(to, profile.endTime) : profile.endTime;
  return {
    window: { startUs: windowStart, endUs: windowEnd, ms: round((windowEnd - windowStart) / 1000) },
    intervalUs,
    samples,
    sampledMs: round(sampledUs / 1000),
    busyMs: round(busyUs / 1000),
    idleMs: round(idleUs / 1000),
    gapMs: round(gapUs / 1000),
    components: [...components].map(([name, us]) => ({ name, ms: round(us / 1000), percentOfBusy: name === 'idle' ? null : pct(us) })),
    steps: [...steps]
      .sort((a, b) => stepOrder(a[0]) - stepOrder(b[0]) || a[0].localeCompare(b[0]))
      .map(([name, byComponent]) => {
        const us = [...byComponent.values()].reduce((a, b) => a + b, 0);
        const parts = [...byComponent].sort((a, b) => b[1] - a[1]).map(([c, cus]) => [c, round(cus / 1000)] as const);
        return { name, ms: round(us / 1000), percentOfBusy: pct(us), components: Object.fromEntries(parts) };
      }),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us || a.frame.functionName.localeCompare(b.frame.functionName))
      .slice(0, opts.topFunctions ?? 15)
      .map(({ frame, component, us }) => ({
        name: `${frame.functionName || '(anonymous)'} ${shortLocation(frame)}`.trim(), functionName: frame.functionName, location: shortLocation(frame), component, ms: round(us / 1000), percentOfBusy: pct(us),
      })),
  };
}

/** `kafkajs/src/protocol/encoder.js:42` / `src/runtime/internals/task.ts:95` / `node:net:900`; '' for a native frame. */
export function shortLocation(f: CallFrame): string {
  if (f.url === '') return '';
  let path = f.url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) path = path.slice(nm + '/node_modules/'.length);
  else {
    const ours = /\/((src|connectors|tools|bench)\/.*)$/.exec(path);
    if (ours) path = ours[1]!;
  }
  return `${path}:${f.lineNumber + 1}`;
}

const ms = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pc = (n: number | null) => (n === null ? '–' : `${n.toFixed(1)} %`);

/** The summary as Markdown tables (to paste into bench/README.md); `compact`: rows of 0.5 % and more, no functions. */
export function formatSummary(s: ProfileSummary, opts: { title?: string; compact?: boolean } = {}): string {
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  lines.push(`${s.samples} samples (${(s.intervalUs / 1000).toFixed(2)} ms each) over ${ms(s.window.ms)} ms: busy ${ms(s.busyMs)} ms, idle ${ms(s.idleMs)} ms, `
    + `gaps without samples ${ms(s.gapMs)} ms`, '');
  const keep = (r: Row) => !opts.compact || r.name === 'idle' || (r.percentOfBusy ?? 0) >= 0.5;
  lines.push('| component (self time) | ms | % of busy |', '|---|---|---|');
  for (const r of s.components.filter(keep)) lines.push(`| ${r.name} | ${ms(r.ms)} | ${pc(r.percentOfBusy)} |`);
  lines.push('', '| step (inclusive) | ms | % of busy | mostly |', '|---|---|---|---|');
  for (const r of s.steps.filter(keep)) {
    const mostly = Object.entries(r.components).slice(0, 3).filter(([, v]) => r.ms > 0 && v / r.ms >= 0.05)
      .map(([c, v]) => `${c} ${Math.round((v / r.ms) * 100)} %`).join(', ');
    lines.push(`| ${r.name} | ${ms(r.ms)} | ${pc(r.percentOfBusy)} | ${mostly} |`);
  }
  if (!opts.compact) {
    lines.push('', '| function (self time) | component | ms | % of busy |', '|---|---|---|---|');
    for (const f of s.topFunctions) lines.push(`| ${f.functionName || '(anonymous)'} ${f.location ? `\`${f.location}\`` : ''} | ${f.component} | ${ms(f.ms)} | ${pc(f.percentOfBusy)} |`);
  }
  return lines.join('\n');
}
