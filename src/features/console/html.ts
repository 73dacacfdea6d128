/**
 * HTML by tagged template: every interpolated value is escaped unless it is already `Html` (made
 * by `html` itself or by `raw` for trusted, constant markup). Arrays are joined. Pages never build
 * markup by string concatenation, so data from DFØ, Kafka or a form can never become markup.
 */
export class Html {
  readonly text: string;
  constructor(text: string) { this.text = text; }
  toString(): string { return this.text; }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = Html | string | number | boolean | null | undefined | ReadonlyArray<Value>;

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => { out += render(v) + strings[i + 1]!; });
  return new Html(out);
}

/** Trusted markup (constants only: never data). */
export const raw = (text: string) => new Html(text);
