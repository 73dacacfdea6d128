/** What a signed-in console handler finds in `ctx.state` (set by app.ts's session check). */
import type { PageContext } from './layout.ts';
import type { Session } from './sessions.ts';

export interface ConsoleState {
  page: PageContext;
  session: Session | null;
  /** A POST's form fields, read once while its CSRF token was checked. */
  form?: Record<string, string>;
}
