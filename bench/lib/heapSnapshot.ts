/**
 * What a V8 heap holds, from a heap snapshot (`node --heapsnapshot-signal=SIGUSR2`, or
 * `v8.writeHeapSnapshot()`): the self size of every node summed by kind — an object's constructor
 * name, `(string)`, `(array)`, `(code)`, `(closure) <function>` and so on — and the totals per V8
 * node type. Retained sizes need the dominator tree and are not computed: a kind's line is what
 * its own objects take, not what they keep alive.
 *
 * A snapshot of a few hundred MiB of heap is a JSON file larger than one JavaScript string may be,
 * so it is read as bytes: the node array is scanned for numbers, and only the strings section is
 * parsed as JSON.
 */

export interface HeapKind { kind: string; count: number; bytes: number }
export interface HeapSummary { totalBytes: number; nodes: number; byType: HeapKind[]; byKind: HeapKind[] }

interface SnapshotMeta { node_fields: string[]; node_types: [string[], ...unknown[]] }

/** Summarises the snapshot in `bytes`; `top` limits `byKind` (default 40). */
export function summariseHeapSnapshot(bytes: Buffer, top = 40): HeapSummary {
  const metaText = sectionText(bytes, '"snapshot":', '"nodes":');
  const meta = (JSON.parse(metaText.replace(/,\s*$/, '')) as { meta: SnapshotMeta }).meta;
  const fields = meta.node_fields;
  const typeNames = meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  if (typeAt! < 0 || nameAt! < 0 || sizeAt! < 0) throw new Error('not a V8 heap snapshot: its node fields lack type, name or self_size');
  const nodes = numbersOf(bytes, '"nodes":');
  const strings = JSON.parse(`[${sectionText(bytes, '"strings":[', null).replace(/\]\s*\}\s*$/, '')}]`) as string[];

  const byType = new Map<string, HeapKind>();
  const byKind = new Map<string, HeapKind>();
  const add = (m: Map<string, HeapKind>, kind: string, size: number) => {
    const k = m.get(kind) ?? { kind, count: 0, bytes: 0 };
    k.count++;
    k.bytes += size;
    m.set(kind, k);
  };
  let total = 0;
  const width = fields.length;
  for (let i = 0; i + width <= nodes.length; i += width) {
    const type = typeNames[nodes[i + typeAt!]!] ?? 'unknown';
    const size = nodes[i + sizeAt!]!;
    total += size;
    add(byType, type, size);
    add(byKind, kindOf(type, strings[nodes[i + nameAt!]!] ?? ''), size);
  }
  const sorted = (m: Map<string, HeapKind>) => [...m.values()].sort((a, b) => b.bytes - a.bytes);
  return { totalBytes: total, nodes: nodes.length / width, byType: sorted(byType), byKind: sorted(byKind).slice(0, top) };
}

/** The kind a node is counted under. */
export function kindOf(type: string, name: string): string {
  switch (type) {
    case 'object': return name || '(object)';
    case 'string': case 'concatenated string': case 'sliced string': return '(string)';
    case 'closure': return `(closure) ${name || 'anonymous'}`;
    case 'array': return `(array) ${name}`;
    case 'native': return `(native) ${name.split(' ')[0]}`;
    default: return `(${type})`;
  }
}

/** The text from just after `start` to just before `end` (or the end of the file). */
function sectionText(bytes: Buffer, start: string, end: string | null): string {
  const from = bytes.indexOf(start);
  if (from < 0) throw new Error(`not a V8 heap snapshot: no ${start}`);
  const to = end === null ? bytes.length : bytes.indexOf(end, from);
  if (to < 0) throw new Error(`not a V8 heap snapshot: no ${end}`);
  return bytes.toString('utf8', from + start.length, to);
}

/** The numbers of the array that follows `label` (`"nodes":[1,2,…]`), scanned as bytes. */
function numbersOf(bytes: Buffer, label: string): Float64Array {
  const at = bytes.indexOf(label);
  if (at < 0) throw new Error(`not a V8 heap snapshot: no ${label}`);
  const open = bytes.indexOf(0x5b /* [ */, at);
  const close = bytes.indexOf(0x5d /* ] */, open);
  let out = new Float64Array(1 << 20);
  let n = 0;
  let value = 0;
  let inNumber = false;
  for (let i = open + 1; i <= close; i++) {
    const c = bytes[i]!;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      inNumber = true;
    } else if (inNumber) {
      if (n === out.length) { const grown = new Float64Array(out.length * 2); grown.set(out); out = grown; }
      out[n++] = value;
      value = 0;
      inNumber = false;
    }
  }
  return out.subarray(0, n);
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);

/** Markdown tables of a summary. */
export function formatHeapSummary(s: HeapSummary): string {
  const rows = (ks: HeapKind[]) => ks.map((k) => `| ${k.kind.replace(/\|/g, '\\|')} | ${k.count.toLocaleString('en')} | ${mib(k.bytes)} | ${((100 * k.bytes) / s.totalBytes).toFixed(1)} % |`);
  return [
    `Heap: ${mib(s.totalBytes)} MiB in ${s.nodes.toLocaleString('en')} objects (self sizes).`,
    '', '| V8 type | objects | MiB | share |', '|---|---|---|---|', ...rows(s.byType),
    '', '| kind (constructor) | objects | MiB | share |', '|---|---|---|---|', ...rows(s.byKind),
  ].join('\n');
}
