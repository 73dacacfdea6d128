/**
 * Filter AST (RFC 7644 §3.4.2.2). `and`/`or` are n-ary (flattened), which keeps evaluation and
 * planning iterative for long chains.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompValue = string | number | boolean | null;

/** `[uri:]attr[.sub]` exactly as written (case kept; resolution is case-insensitive). */
export interface AttrPath {
  uri: string | undefined;
  attr: string;
  sub: string | undefined;
}

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; items: Filter[] }
  | { kind: 'or'; items: Filter[] }
  | { kind: 'not'; item: Filter }
  | { kind: 'valuePath'; path: AttrPath; item: Filter };

export const compareOps: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
