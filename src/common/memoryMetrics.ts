/**
 * The process's memory by kind, as Node reports it (process.memoryUsage()): rss, heap_total,
 * heap_used, external (native memory held by JS objects, Buffers included), array_buffers, and
 * V8's malloc outside its heap (v8_malloced).
 * prom-client's default metrics have most of these but not array_buffers; one gauge read at one
 * moment lets a scrape split RSS without mixing samples taken at different times.
 */
import { getHeapStatistics } from 'node:v8';
import { gauge } from './metrics.ts';

export function registerMemoryGauge(): void {
  gauge('iga_process_memory_bytes', 'process.memoryUsage() by kind: rss, heap_total, heap_used, external, array_buffers, v8_malloced', ['kind'], (g) => {
    const m = process.memoryUsage();
    g.set({ kind: 'rss' }, m.rss);
    g.set({ kind: 'heap_total' }, m.heapTotal);
    g.set({ kind: 'heap_used' }, m.heapUsed);
    g.set({ kind: 'external' }, m.external);
    g.set({ kind: 'array_buffers' }, m.arrayBuffers);
    // V8's own malloc outside the heap (compiler zones, parser): not in heap_total.
    g.set({ kind: 'v8_malloced' }, getHeapStatistics().malloced_memory);
  });
}
