/**
 * The items of a publish body with their exact bytes: a JSON array's elements, or the whole body
 * when it is one value. Each profile's original bytes are kept (on the raw topic, and on the
 * dead-letter topic if it is refused), so a batch is cut where its elements are, not re-serialised.
 * Call it only on a body that JSON.parse accepted and checkJsonLimits passed: it scans, it does not
 * validate.
 */
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function trim(body: Uint8Array, start: number, end: number): [number, number] {
  while (start < end && WHITESPACE.has(body[start]!)) start++;
  while (end > start && WHITESPACE.has(body[end - 1]!)) end--;
  return [start, end];
}

/** The element byte ranges of a top-level array, or null when the body is not an array. */
export function splitItems(body: Buffer): { batch: boolean; items: Buffer[] } {
  const [start, end] = trim(body, 0, body.length);
  if (body[start] !== 0x5b) return { batch: false, items: [body.subarray(start, end)] };
  const items: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let itemStart = start + 1;
  for (let i = start; i < end; i++) {
    const b = body[i]!;
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
      continue;
    }
    if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) depth++;
    else if (b === 0x5d || b === 0x7d) {
      depth--;
      if (depth === 0) push(itemStart, i);
    } else if (b === 0x2c && depth === 1) {
      push(itemStart, i);
      itemStart = i + 1;
    }
  }
  return { batch: true, items };

  function push(from: number, to: number): void {
    const [s, e] = trim(body, from, to);
    if (e > s) items.push(body.subarray(s, e));
  }
}
