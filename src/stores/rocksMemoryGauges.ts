/**
 * RocksDB's memory as Prometheus gauges, registered by the service (not on import of the store, so
 * a process that only restores or rebuilds stores does not load prom-client).
 */
import { gauge } from '../common/metrics.ts';
import { rocksMemory } from './rocksBytesStore.ts';

export function registerRocksMemoryGauges(): void {
  gauge('iga_rocksdb_memory_bytes', 'Memory RocksDB reports for the stores open in this process, by kind: memtables, block_cache, table_readers', ['kind'], (g) => {
    const m = rocksMemory();
    g.set({ kind: 'memtables' }, m.memtables);
    g.set({ kind: 'block_cache' }, m.blockCache);
    g.set({ kind: 'table_readers' }, m.tableReaders);
  });
  gauge('iga_rocksdb_open_stores', 'RocksDB databases open in this process (one per store per task, one per replica)', [], (g) => { g.set(rocksMemory().stores); });
}
