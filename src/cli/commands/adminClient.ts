/**
 * How operator commands reach a running instance: the admin API (`/admin/*`) over HTTP with an
 * admin token. URL from `--admin-url` or IGA_ADMIN_URL (default http://127.0.0.1:<IGA_ADMIN_PORT>),
 * token from `--token` or IGA_ADMIN_TOKEN. Every failure becomes a CliError that says what to do.
 */
import { CliError } from './cliError.ts';

export interface AdminClientOptions { url?: string | undefined; token?: string | undefined; env?: NodeJS.ProcessEnv }

export class AdminClient {
  readonly url: string;
  private readonly token: string;

  constructor(opts: AdminClientOptions = {}) {
    const env = opts.env ?? process.env;
    this.url = (opts.url || env.IGA_ADMIN_URL || `http://127.0.0.1:${env.IGA_ADMIN_PORT || 9464}`).replace(/\/+$/, '');
    const token = opts.token || env.IGA_ADMIN_TOKEN;
    if (!token) throw new CliError('no admin token: set IGA_ADMIN_TOKEN (one of the tokens in the instance\'s IGA_ADMIN_TOKENS) or pass --token', 2);
    this.token = token;
  }

  /** GET `/admin{path}` as JSON. */
  async get<T>(path: string): Promise<T> {
    return (await this.request('GET', path)).json() as Promise<T>;
  }

  /** POST `/admin{path}` with a JSON body; returns the JSON answer. */
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.request('POST', path, body)).json() as Promise<T>;
  }

  /**
   * POST to an NDJSON endpoint; calls `onLine` for every progress line and resolves with the
   * final `done` line. An `error` line (or a cut-off stream) rejects with a CliError.
   */
  async stream(path: string, body: unknown, onLine: (line: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
    const res = await this.request('POST', path, body);
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        if (line.type === 'done') return line;
        if (line.type === 'error') throw new CliError(`${path}: ${String(line.error)}`);
        onLine(line);
      }
    }
    throw new CliError(`${path}: the instance closed the response before the operation finished; check its log`);
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(`no iga-stream instance answers at ${this.url} (${cause}): start one with 'iga-stream run', or pass --admin-url / set IGA_ADMIN_URL`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let message = text;
    try { message = (JSON.parse(text) as { error?: string }).error ?? text; } catch { /* not JSON */ }
    if (res.status === 401) throw new CliError(`the instance at ${this.url} refused the admin token: ${message}`, 2);
    throw new CliError(`${method} /admin${path} failed with ${res.status}: ${message}`);
  }
}

/** One client per instance: `--admin-url`/IGA_ADMIN_URL split on commas (none → the default URL). */
export function adminClients(url: string | undefined, token: string | undefined): AdminClient[] {
  const urls = (url ?? process.env.IGA_ADMIN_URL ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  return (urls.length > 0 ? urls : [undefined]).map((u) => new AdminClient({ url: u, token }));
}
