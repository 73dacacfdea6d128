/**
 * Small local checkpoint files, written atomically (a temporary file renamed over the old one, so a
 * crash leaves the old checkpoint or the new one, never half of one). A task's checkpoint holds,
 * per store, the changelog offset its local RocksDB is known to hold; a replica's, per partition,
 * the next offset to read. Missing or unreadable → the local state is not trusted and is read
 * again from Kafka.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A task's checkpoint: store name → changelog offset. */
export type Checkpoint = Record<string, string>;

export async function readCheckpoint(file: string): Promise<Checkpoint | null> {
  const parsed = await readJsonFile(file);
  if (typeof parsed !== 'object' || parsed === null) return null;
  return parsed as Checkpoint;
}

export async function writeCheckpoint(file: string, cp: Checkpoint): Promise<void> {
  await writeJsonFile(file, cp);
}

/** The file's JSON, or null when it is missing or not JSON. */
export async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** Atomic: written to a temporary file and renamed. */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, file);
}
