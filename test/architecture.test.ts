/**
 * The house rules, read off the import statements of every source file (type-only imports and
 * `import('…')` type expressions count: they are dependencies too). README "Layout" draws the
 * same picture. A failure names the file, the import and the rule it breaks.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SOURCE_ROOTS = ['src', 'connectors', 'tools'];

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return walk(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** file → the source files it imports (relative paths from the repository root). */
const graph = new Map<string, string[]>();
for (const file of SOURCE_ROOTS.flatMap(walk)) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  graph.set(file, [...text.matchAll(SPECIFIER)].map((m) => normalize(join(dirname(file), m[1]!))));
}

/**
 * The floors of the house, lowest first. A file may import its own room and any room on a lower
 * floor; two rooms on one floor know nothing of each other.
 */
const FLOORS: Array<[room: string, floor: number]> = [
  ['src/common', 0],
  ['src/types', 0],
  ['src/iga', 1],
  ['src/stores', 1],
  ['src/runtime', 2],
  ['src/topology', 3],
  ['src/scim', 3],
  ['connectors', 4],
  ['tools', 5],
  ['src/features', 5],
  ['src/app', 6],
  ['src/cli', 7],
];
const roomOf = (file: string) => FLOORS.find(([room]) => file === room || file.startsWith(`${room}/`)) ?? null;

function violations(rule: (from: string, to: string) => string | null): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) {
    const why = rule(from, to);
    if (!why) continue;
    found.push(`${from} imports ${to}: ${why}`);
  }
  return found;
}

const isIn = (file: string, ...prefixes: string[]) => prefixes.some((p) => file === p || file.startsWith(p.endsWith('/') ? p : `${p}/`));

describe('architecture', () => {
  test('every source file lives in a room of the house', () => {
    assert.deepEqual([...graph.keys()].filter((f) => roomOf(f) === null), []);
  });

  test('imports only go down the floors (and never sideways between rooms of one floor)', () => {
    assert.deepEqual(violations((from, to) => {
      const a = roomOf(from);
      const b = roomOf(to);
      if (!a || !b || a[0] === b[0]) return null;
      if (b[1] < a[1]) return null;
      return `${a[0]} (floor ${a[1]}) may not depend on ${b[0]} (floor ${b[1]})`;
    }), []);
  });

  test('the IGA rules import nothing outside src/iga', () => {
    assert.deepEqual(violations((from, to) => (isIn(from, 'src/iga') && !isIn(to, 'src/iga') ? 'the rules are pure' : null)), []);
  });

  test('the runtime knows no IGA code: it imports only itself, the stores and src/common', () => {
    assert.deepEqual(violations((from, to) => (isIn(from, 'src/runtime') && !isIn(to, 'src/runtime', 'src/stores', 'src/common', 'src/types') ? 'the runtime is generic' : null)), []);
  });

  test('nothing outside the runtime imports its internals', () => {
    assert.deepEqual(violations((from, to) => (!isIn(from, 'src/runtime') && isIn(to, 'src/runtime/internals') ? 'use src/runtime/index.ts or a public folder (api, kafka, replicas, ops, testing)' : null)), []);
  });

  test('processors see the runtime only through its processor API', () => {
    assert.deepEqual(violations((from, to) => (isIn(from, 'src/topology') && isIn(to, 'src/runtime') && to !== 'src/runtime/api/index.ts' ? 'import src/runtime/api/index.ts' : null)), []);
  });

  test('connectors know the topology only by its contracts and ports', () => {
    assert.deepEqual(violations((from, to) => (isIn(from, 'connectors') && isIn(to, 'src/topology') && !isIn(to, 'src/topology/contracts', 'src/topology/ports.ts') ? 'a connector implements a port and writes or reads a contract' : null)), []);
  });

  test('operator features read store and topic formats from the contracts, never from processors', () => {
    assert.deepEqual(violations((from, to) => (isIn(from, 'src/features') && isIn(to, 'src/topology/processors', 'src/topology/topology.ts') ? 'formats live in src/topology/contracts' : null)), []);
  });

  test('there is no import cycle', () => {
    // Tarjan's strongly connected components over the file graph; any component of two or more is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    assert.deepEqual(cycles.map((c) => c.join(' ↔ ')), []);
  });

  test('every import resolves to a file', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((t) => !statSafe(t)).map((t) => `${from} → ${t}`));
    assert.deepEqual(missing, []);
  });
});

function statSafe(path: string): boolean {
  try {
    return statSync(join(ROOT, path)).isFile() || statSync(join(ROOT, path)).isDirectory();
  } catch {
    return false;
  }
}
