/**
 * Samples where the service's memory goes while a benchmark runs: every second it reads the
 * service's `/metrics` (`iga_process_memory_bytes{kind}`, process.memoryUsage(), and
 * `iga_rocksdb_memory_bytes{kind}`, RocksDB's own account) and keeps the sample with the highest
 * RSS. The true peak comes from the kernel (VmHWM) and can fall between two samples; the breakdown
 * is that of the highest sample.
 */
import { readFileSync } from 'node:fs';

export interface MemorySample {
  /** Seconds since the sampler started. */
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** Native memory held by JS objects (Buffers and ArrayBuffers included). */
  external: number;
  arrayBuffers: number;
  rocksMemtables: number;
  rocksBlockCache: number;
  rocksTableReaders: number;
  rocksStores: number;
  /** V8's malloc outside its heap (compiler zones, parser). */
  v8Malloced: number;
  /** File-backed resident pages (RssFile: the node binary, the RocksDB addon and other mapped code). */
  rssFile: number;
  /** Anonymous RSS not explained by the above: Node, libuv, OpenSSL, RocksDB's other allocations, thread stacks, freed memory not returned to the OS. */
  rest: number;
}

/** Values of one metric by its `kind` label (or '' without labels) from Prometheus text. */
function metric(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}(?:\\{kind="([^"]*)"\\})? (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

/** RssFile of process `pid` in bytes (Linux), 0 when unknown. */
function rssFileOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /RssFile:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch { return 0; }
}

export function parseSample(text: string, at: number, rssFile = 0): MemorySample | null {
  const proc = metric(text, 'iga_process_memory_bytes');
  const rocks = metric(text, 'iga_rocksdb_memory_bytes');
  const rss = proc.get('rss');
  if (rss === undefined) return null;
  const g = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
  const s = {
    at, rss, heapTotal: g(proc, 'heap_total'), heapUsed: g(proc, 'heap_used'), external: g(proc, 'external'), arrayBuffers: g(proc, 'array_buffers'),
    rocksMemtables: g(rocks, 'memtables'), rocksBlockCache: g(rocks, 'block_cache'), rocksTableReaders: g(rocks, 'table_readers'),
    rocksStores: metric(text, 'iga_rocksdb_open_stores').get('') ?? 0, v8Malloced: g(proc, 'v8_malloced'), rssFile,
  };
  return { ...s, rest: rss - s.rssFile - s.heapTotal - s.v8Malloced - s.external - s.rocksMemtables - s.rocksBlockCache - s.rocksTableReaders };
}

export interface MemorySampler {
  /** Stops sampling; the highest-RSS sample and up to 60 evenly spaced samples of the run. */
  stop(): Promise<{ peak: MemorySample | null; series: MemorySample[] }>;
}

/** `pid`: the service's process id, for its file-backed RSS (/proc). */
export function sampleMemory(metricsUrl: string, pid?: number, everyMs = 1000): MemorySampler {
  const started = performance.now();
  const samples: MemorySample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const res = await fetch(metricsUrl);
        const s = parseSample(await res.text(), (performance.now() - started) / 1000, rssFileOf(pid));
        if (s) samples.push(s);
      } catch { /* a busy or stopping service: skip this sample */ }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const peak = samples.reduce<MemorySample | null>((a, s) => (a === null || s.rss > a.rss ? s : a), null);
      const step = Math.max(1, Math.ceil(samples.length / 60));
      return { peak, series: samples.filter((_, i) => i % step === 0) };
    },
  };
}

const MiB = (b: number) => Math.round(b / 2 ** 20);

/** One line: RSS and where it goes, in MiB. */
export function describeSample(s: MemorySample): string {
  return `RSS ${MiB(s.rss)} MiB = mapped files ${MiB(s.rssFile)} + V8 heap ${MiB(s.heapTotal)} (used ${MiB(s.heapUsed)}) + V8 malloc ${MiB(s.v8Malloced)} + external ${MiB(s.external)} (array buffers ${MiB(s.arrayBuffers)}) `
    + `+ RocksDB ${MiB(s.rocksMemtables + s.rocksBlockCache + s.rocksTableReaders)} (memtables ${MiB(s.rocksMemtables)}, cache ${MiB(s.rocksBlockCache)}, table readers ${MiB(s.rocksTableReaders)}; ${s.rocksStores} stores) + rest ${MiB(s.rest)}`;
}

/** The sample in MiB, for the results JSON. */
export function inMiB(s: MemorySample): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'at' ? Math.round(v * 10) / 10 : k === 'rocksStores' ? v : MiB(v)]));
}
