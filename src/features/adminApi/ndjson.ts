/**
 * Long admin operations (rebuild, reprocess, reconcile) answer with newline-delimited JSON: one
 * progress line per update and a final `{"type":"done",...}` or `{"type":"error",...}` line, so a
 * CLI can draw a progress bar and the operation's outcome still arrives on the same response.
 */
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

export type NdjsonSend = (line: Record<string, unknown>) => void;

/**
 * Starts a 200 NDJSON response and runs `work` with a `send` function. The result of `work`
 * becomes the `done` line; a thrown error becomes an `error` line (the status is already sent).
 */
export function streamNdjson(ctx: Context, work: (send: NdjsonSend) => Promise<Record<string, unknown>>): void {
  const out = new PassThrough();
  ctx.status = 200;
  ctx.set('Content-Type', 'application/x-ndjson; charset=utf-8');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = out;
  const send: NdjsonSend = (line) => { if (!out.writableEnded) out.write(`${JSON.stringify(line)}\n`); };
  work(send).then(
    (result) => { send({ type: 'done', ...result }); out.end(); },
    (err: unknown) => { send({ type: 'error', error: err instanceof Error ? err.message : String(err) }); out.end(); },
  );
}
