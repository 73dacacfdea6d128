/**
 * Store-backed deferral shared by the processors: work that must wait (a future `gyldigEtter`, a
 * DFØ call that failed) is kept in a store keyed by due time, and a punctuation hands back what is
 * due. Survives restarts because the store has a changelog.
 */
import type { KeyValueStore } from '../../stores/keyValueStore.ts';

/** Keys sort by due time: a fixed-width epoch-ms prefix. */
export function dueKey(dueMs: number, id: string): string {
  return `${String(Math.max(0, Math.floor(dueMs))).padStart(15, '0')}|${id}`;
}

/** Removes and returns every entry due at or before `nowMs`. */
export async function takeDue<V>(store: KeyValueStore<V>, nowMs: number, limit = 1000): Promise<Array<[string, V]>> {
  const due: Array<[string, V]> = [];
  for await (const [k, v] of store.range({ lte: `${String(Math.floor(nowMs)).padStart(15, '0')}|\uffff`, limit })) due.push([k, v]);
  for (const [k] of due) store.delete(k);
  return due;
}
