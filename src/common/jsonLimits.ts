/**
 * Size and shape limits for JSON arriving at a boundary (AMQP ingress, HTTP bodies, DFØ answers),
 * checked on the raw bytes in one pass with an explicit stack, before JSON.parse or anything
 * recursive (JSON.stringify, zod, our own walkers) touches the data. A body nested 10,000 levels
 * deep parses fine in V8 but makes JSON.stringify throw "Maximum call stack size exceeded"; a
 * 10-million-element array costs seconds and memory downstream. Those are refused here with a
 * reason a person can act on. The scan does not validate JSON syntax: JSON.parse still does that.
 */

export interface JsonLimits {
  /** Largest body in bytes. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays (a flat object is depth 1). */
  maxDepth: number;
  /** Longest string (key or value), in UTF-8 bytes as sent (escapes counted as written). */
  maxStringBytes: number;
  /** Most elements of one array. */
  maxArrayItems: number;
  /** Most keys of one object. */
  maxObjectKeys: number;
}

export type LimitCheck = { ok: true } | { ok: false; reason: string };

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Checks `body` against `limits` without parsing it. Linear time; memory bounded by maxDepth. */
export function checkJsonLimits(body: Uint8Array, limits: JsonLimits): LimitCheck {
  if (body.length > limits.maxBytes) return refuse(`body is ${body.length} bytes, more than the limit of ${limits.maxBytes}`);
  // Per open container: is it an array, and how many commas it has seen at its own level.
  const isArray: boolean[] = [];
  const commas: number[] = [];
  let inString = false;
  let stringStart = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (inString) {
      if (b === BACKSLASH) i++; // the escaped character cannot end the string
      else if (b === QUOTE) {
        inString = false;
        if (i - stringStart - 1 > limits.maxStringBytes) return refuse(`a string of ${i - stringStart - 1} bytes at byte ${stringStart}, more than the limit of ${limits.maxStringBytes}`);
      }
      continue;
    }
    switch (b) {
      case QUOTE:
        inString = true;
        stringStart = i;
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (isArray.length >= limits.maxDepth) return refuse(`nested deeper than ${limits.maxDepth} levels (at byte ${i})`);
        isArray.push(b === OPEN_ARRAY);
        commas.push(0);
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        isArray.pop();
        commas.pop();
        break;
      case COMMA: {
        const top = commas.length - 1;
        if (top < 0) break;
        const items = ++commas[top]! + 1;
        if (isArray[top] && items > limits.maxArrayItems) return refuse(`an array with more than ${limits.maxArrayItems} elements (at byte ${i})`);
        if (!isArray[top] && items > limits.maxObjectKeys) return refuse(`an object with more than ${limits.maxObjectKeys} keys (at byte ${i})`);
        break;
      }
    }
  }
  if (inString && body.length - stringStart - 1 > limits.maxStringBytes) return refuse(`a string of more than ${limits.maxStringBytes} bytes at byte ${stringStart}`);
  return { ok: true };
}

function refuse(reason: string): LimitCheck {
  return { ok: false, reason };
}

/** Cuts `text` to at most `max` characters, saying how much was cut (for reasons and log lines). */
export function boundedText(text: string, max = 1000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
