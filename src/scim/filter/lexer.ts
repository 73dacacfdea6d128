/**
 * Tokeniser for SCIM filters (RFC 7644 §3.4.2.2). Tokens: `(` `)` `[` `]`, JSON strings (with
 * JSON escapes, decoded) and words. A word is any run of characters other than whitespace,
 * brackets and `"`; the parser decides whether it is an attribute path, operator, keyword,
 * number or literal. This keeps URN paths such as `urn:ietf:params:scim:schemas:core:2.0:User:userName`
 * (which contain `.` and digits) in one token.
 */
import { invalidFilter } from '../errors.ts';

export type Token =
  | { type: '(' | ')' | '[' | ']'; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'word'; text: string; pos: number };

// A JSON string: unescaped chars except " \ and controls, or the JSON escapes.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WORD = /[^\s()[\]"]+/y;
const SPACE = /\s+/y;

/** Splits a filter into tokens. Throws ScimError 400 invalidFilter on a malformed string. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < input.length) {
    SPACE.lastIndex = pos;
    if (SPACE.test(input)) {
      pos = SPACE.lastIndex;
      continue;
    }
    const ch = input[pos] as string;
    if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      tokens.push({ type: ch, pos });
      pos++;
      continue;
    }
    if (ch === '"') {
      STRING.lastIndex = pos;
      const m = STRING.exec(input);
      if (!m) throw invalidFilter(`Unterminated or badly escaped string at position ${pos + 1}`);
      tokens.push({ type: 'string', value: JSON.parse(m[0]) as string, pos });
      pos = STRING.lastIndex;
      continue;
    }
    WORD.lastIndex = pos;
    const m = WORD.exec(input) as RegExpExecArray;
    tokens.push({ type: 'word', text: m[0], pos });
    pos = WORD.lastIndex;
  }
  return tokens;
}
