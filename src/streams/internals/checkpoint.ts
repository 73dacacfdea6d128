/**
 * A task's local checkpoint: per store, the changelog offset its local RocksDB is known to hold.
 * Missing or unreadable → the local state is not trusted and is rebuilt from the changelog.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export type Checkpoint = Record<string, string>;

export async function readCheckpoint(file: string): Promise<Checkpoint | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return null;
    return parsed as Checkpoint;
  } catch {
    return null;
  }
}

/** Atomic: written to a temporary file and renamed. */
export async function writeCheckpoint(file: string, cp: Checkpoint): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(cp));
  await rename(tmp, file);
}
