/**
 * Runs a /Users query against the AccountIndex: plan → evaluate → order → page.
 * - No filter, no sortBy: the index's id order, so any page is an O(page) slice.
 * - No filter, sortBy: a sorted id list cached until the index changes (one sort per change
 *   burst, not per request), so deep pages cost the same as the first.
 * - Filter: candidates from the planner (or every id), each checked with the compiled predicate.
 * Scans check a deadline every 1024 resources and give 503 when it passes.
 */
import type { Account } from '../../iga/model.ts';
import type { AccountIndex } from '../accountIndex.ts';
import { ScimError } from '../errors.ts';
import type { Accessor, Resource } from '../filter/accessor.ts';
import type { Filter } from '../filter/ast.ts';
import { compileFilter } from '../filter/evaluate.ts';
import { planFilter } from '../filter/plan.ts';
import { sortAccounts } from './sort.ts';

export interface QuerySpec {
  filter: Filter | undefined;
  sort: { accessor: Accessor; descending: boolean } | undefined;
  /** 1-based, already clamped to >= 1. */
  startIndex: number;
  /** Already clamped to 0..maxResults. */
  count: number;
  /** Epoch ms after which a scan gives up; undefined = no limit. */
  deadline?: number;
}

export interface QueryResult {
  totalResults: number;
  accounts: Array<Readonly<Account>>;
  /** How many accounts the filter predicate was run on (0 without filter). */
  evaluated: number;
}

export class QueryExecutor {
  readonly #index: AccountIndex;
  readonly #render: (a: Readonly<Account>) => Resource;
  #sorted = new Map<string, { mutation: number; ids: string[] }>();

  constructor(index: AccountIndex, render: (a: Readonly<Account>) => Resource) {
    this.#index = index;
    this.#render = render;
  }

  /** Throws ScimError 400 invalidFilter from the compiler, 503 when the deadline passes. */
  run(q: QuerySpec): QueryResult {
    const from = q.startIndex - 1;
    if (!q.filter) {
      const ids = q.sort ? this.#sortedIds(q.sort.accessor) : this.#index.orderedIds();
      const descending = q.sort?.descending ?? false;
      const out: Array<Readonly<Account>> = [];
      for (let i = from; i < Math.min(ids.length, from + q.count); i++) {
        const a = this.#index.get(ids[descending ? ids.length - 1 - i : i] as string);
        if (a) out.push(a);
      }
      return { totalResults: ids.length, accounts: out, evaluated: 0 };
    }
    const predicate = compileFilter(q.filter);
    const candidates = planFilter(q.filter, this.#index);
    const matches: Array<Readonly<Account>> = [];
    let evaluated = 0;
    const check = (a: Readonly<Account> | undefined) => {
      if (!a) return;
      if ((++evaluated & 1023) === 0 && q.deadline !== undefined && Date.now() > q.deadline) {
        throw new ScimError(503, 'Query took too long; narrow the filter', { headers: { 'Retry-After': '1' } });
      }
      if (predicate(this.#render(a))) matches.push(a);
    };
    if (candidates && candidates.size * 8 < this.#index.size) {
      for (const id of candidates) check(this.#index.get(id));
      matches.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    } else {
      for (const id of this.#index.orderedIds()) {
        if (!candidates || candidates.has(id)) check(this.#index.get(id));
      }
    }
    if (q.sort) {
      sortAccounts(matches, q.sort.accessor, this.#render);
      if (q.sort.descending) matches.reverse();
    }
    return { totalResults: matches.length, accounts: matches.slice(from, from + q.count), evaluated };
  }

  #sortedIds(acc: Accessor): string[] {
    const mutation = this.#index.mutationCount;
    const cached = this.#sorted.get(acc.canonical);
    if (cached && cached.mutation === mutation) return cached.ids;
    const all = sortAccounts([...this.#index.values()], acc, this.#render);
    const ids = all.map((a) => a.id);
    this.#sorted.set(acc.canonical, { mutation, ids });
    return ids;
  }
}
