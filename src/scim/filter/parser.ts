/**
 * Recursive-descent parser for the SCIM filter grammar, RFC 7644 §3.4.2.2 Figure 1:
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"        ; valFilter uses sub-attributes of attrPath
 *   valFilter = attrExp / logExp / *1"not" "(" valFilter ")"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   logExp    = FILTER SP ("and" / "or") SP FILTER
 *   compValue = false / null / true / number / string   ; JSON (RFC 7159)
 *   compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *   ATTRNAME  = ALPHA *(nameChar)
 *   nameChar  = "-" / "_" / DIGIT / ALPHA
 *   subAttr   = "." ATTRNAME
 *
 * Precedence (§3.4.2.2): grouping, then `not`, then `and`, then `or`. Keywords, operators and the
 * literals true/false/null are case-insensitive (ABNF strings are). Both `not(` and `not (` are
 * accepted, as are `(`/`[` directly after a word. Nested valuePaths are rejected, as the ABNF
 * does. Any whitespace separates tokens.
 */
import { echo, invalidFilter } from '../errors.ts';
import { compareOps, type AttrPath, type CompValue, type CompareOp, type Filter } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';

export interface ParseLimits {
  /** Longest filter accepted, in characters. */
  maxLength: number;
  /** Deepest nesting of groups, `not` and valuePaths. */
  maxDepth: number;
}

export const defaultParseLimits: ParseLimits = { maxLength: 2048, maxDepth: 16 };

const ATTR_PATH = /^(?:(.+):)?([A-Za-z][A-Za-z0-9_-]*)(?:\.([A-Za-z][A-Za-z0-9_-]*))?$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function describe(t: Token | undefined): string {
  if (!t) return 'end of filter';
  if (t.type === 'word') return `'${echo(t.text)}' at position ${t.pos + 1}`;
  if (t.type === 'string') return `string at position ${t.pos + 1}`;
  return `'${t.type}' at position ${t.pos + 1}`;
}

class Parser {
  readonly #tokens: Token[];
  readonly #maxDepth: number;
  #at = 0;
  #depth = 0;
  #inValuePath = false;

  constructor(tokens: Token[], maxDepth: number) {
    this.#tokens = tokens;
    this.#maxDepth = maxDepth;
  }

  parseAll(): Filter {
    const f = this.#or();
    if (this.#at < this.#tokens.length) throw invalidFilter(`Unexpected ${describe(this.#peek())}`);
    return f;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#at];
  }

  #isKeyword(t: Token | undefined, kw: string): boolean {
    return t?.type === 'word' && t.text.toLowerCase() === kw;
  }

  #expect(type: '(' | ')' | '[' | ']'): void {
    const t = this.#peek();
    if (t?.type !== type) throw invalidFilter(`Expected '${type}' but found ${describe(t)}`);
    this.#at++;
  }

  #enter(): void {
    if (++this.#depth > this.#maxDepth) throw invalidFilter(`Filter nesting deeper than ${this.#maxDepth}`);
  }

  #or(): Filter {
    const items = [this.#and()];
    while (this.#isKeyword(this.#peek(), 'or')) {
      this.#at++;
      items.push(this.#and());
    }
    return items.length === 1 ? (items[0] as Filter) : { kind: 'or', items };
  }

  #and(): Filter {
    const items = [this.#unary()];
    while (this.#isKeyword(this.#peek(), 'and')) {
      this.#at++;
      items.push(this.#unary());
    }
    return items.length === 1 ? (items[0] as Filter) : { kind: 'and', items };
  }

  #unary(): Filter {
    const t = this.#peek();
    if (this.#isKeyword(t, 'not') && this.#tokens[this.#at + 1]?.type === '(') {
      this.#at++;
      this.#enter();
      const item = this.#group();
      this.#depth--;
      return { kind: 'not', item };
    }
    if (t?.type === '(') return this.#group();
    return this.#attrExpOrValuePath();
  }

  #group(): Filter {
    this.#expect('(');
    this.#enter();
    const inner = this.#or();
    this.#depth--;
    this.#expect(')');
    return inner;
  }

  #attrExpOrValuePath(): Filter {
    const t = this.#peek();
    if (t?.type !== 'word') throw invalidFilter(`Expected an attribute name but found ${describe(t)}`);
    const path = parseAttrPath(t.text, t.pos);
    this.#at++;
    const next = this.#peek();
    if (next?.type === '[') {
      if (this.#inValuePath) throw invalidFilter(`Nested '[' at position ${next.pos + 1}`);
      if (path.sub !== undefined) throw invalidFilter(`A value filter needs a complex attribute, not '${echo(t.text)}'`);
      this.#at++;
      this.#enter();
      this.#inValuePath = true;
      const item = this.#or();
      this.#inValuePath = false;
      this.#depth--;
      this.#expect(']');
      return { kind: 'valuePath', path, item };
    }
    if (next?.type !== 'word') throw invalidFilter(`Expected an operator after '${echo(t.text)}' but found ${describe(next)}`);
    const op = next.text.toLowerCase();
    this.#at++;
    if (op === 'pr') return { kind: 'present', path };
    if (!(compareOps as readonly string[]).includes(op)) throw invalidFilter(`Unknown operator ${describe(next)}`);
    return { kind: 'compare', path, op: op as CompareOp, value: this.#compValue() };
  }

  #compValue(): CompValue {
    const t = this.#peek();
    this.#at++;
    if (t?.type === 'string') return t.value;
    if (t?.type === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
      if (NUMBER.test(t.text)) {
        const n = Number(t.text);
        if (Number.isFinite(n)) return n;
      }
    }
    throw invalidFilter(`Expected a value (string, number, true, false or null) but found ${describe(t)}`);
  }
}

/** Splits `[uri:]attr[.sub]`; throws invalidFilter when the word is not an attribute path. */
export function parseAttrPath(text: string, pos = 0): AttrPath {
  const m = ATTR_PATH.exec(text);
  if (!m) throw invalidFilter(`'${echo(text)}' at position ${pos + 1} is not an attribute path`);
  return { uri: m[1], attr: m[2] as string, sub: m[3] };
}

/**
 * Parses a filter string into an AST. Throws ScimError 400 invalidFilter on any syntax error, on
 * a filter longer than `limits.maxLength` or nested deeper than `limits.maxDepth`.
 */
export function parseFilter(input: string, limits: ParseLimits = defaultParseLimits): Filter {
  if (input.length > limits.maxLength) throw invalidFilter(`Filter longer than ${limits.maxLength} characters`);
  const tokens = tokenize(input);
  if (tokens.length === 0) throw invalidFilter('Empty filter');
  return new Parser(tokens, limits.maxDepth).parseAll();
}
