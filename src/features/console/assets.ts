/**
 * The console's static files, read once at start and served from memory under
 * `/console/assets/<name>`: our own stylesheet and script (static/), and the two libraries
 * straight from node_modules (htmx for the live refresh, uPlot for the plots). Nothing is fetched
 * from the internet at run time or at build time beyond `npm ci`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Asset { body: Buffer; type: string; etag: string }

const require = createRequire(import.meta.url);
const own = (name: string) => join(import.meta.dirname, 'static', name);

const SOURCES: Record<string, { path: string; type: string }> = {
  'console.css': { path: own('console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: own('console.js'), type: 'text/javascript; charset=utf-8' },
  'htmx.min.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** Reads every asset; throws at start when one is missing (a broken install), never at request time. */
export function loadAssets(): Map<string, Asset> {
  return new Map(Object.entries(SOURCES).map(([name, s]) => {
    const body = readFileSync(s.path);
    return [name, { body, type: s.type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }];
  }));
}
