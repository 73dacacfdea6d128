/**
 * The console's pages, each a module that adds its routes to the signed-in router, and what they
 * read: explain and the brake through the same service functions as the JSON admin API, the
 * overview through its own source (overview data of this instance).
 */
import type Router from '@koa/router';
import type { PageDeps } from './deps.ts';
import { deadLetterPages } from './deadLetters.ts';
import { heldPages } from './held.ts';
import { overviewPages } from './overview.ts';
import { peoplePages } from './people.ts';
import { reconcilePages } from './reconcile.ts';
import { upcomingPages } from './upcoming.ts';

export type { ConsoleSources, PageDeps } from './deps.ts';

export function consolePages(router: Router, deps: PageDeps): void {
  overviewPages(router, deps);
  peoplePages(router, deps);
  upcomingPages(router, deps);
  heldPages(router, deps);
  deadLetterPages(router, deps);
  reconcilePages(router, deps);
}
