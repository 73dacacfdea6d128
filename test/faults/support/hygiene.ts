/**
 * What no response of the service may show a client: a stack trace, or a path of the machine it
 * runs on (the checkout, node_modules, Node's internals, the state folders under the temp folder).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame', /(?:^|\\n|\n)\s*at (?:async )?\S[^\n]*?(?:\(|\s)(?:file:\/\/|\/|node:)[^\s)]*:\d+/g],
  ['a source position', /\.(?:ts|js|mjs|cjs):\d+:\d+/g],
  ['node_modules', /node_modules/g],
  ["Node's internals", /node:internal/g],
  ['a file URL', /file:\/\//g],
  ['the checkout path', new RegExp(escape(ROOT), 'g')],
  ['a /work/ path', /\/work\//g],
  ['a temp folder path', new RegExp(`${escape(tmpdir())}/iga-`, 'g')],
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What leaks in `text` (a response body or header block), or null when nothing does. `sent`: what
 * the client sent; a match found in it is the client's own input echoed back (`No endpoint
 * /node_modules/x`), not a leak.
 */
export function leakIn(text: string, sent = ''): string | null {
  for (const [what, re] of LEAKS) {
    for (const m of text.matchAll(re)) {
      if (sent && sent.includes(m[0])) continue;
      return `${what}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 80))}`;
    }
  }
  return null;
}
