/**
 * The DFØ API as a dependency (src/common/dependencyHealth.ts): which failed attempts mean DFØ or its
 * gateway is down — no answer (network error, timeout), 408, 5xx, or a 404 that is not DFØ's (the
 * gateway has no route) — as opposed to DFØ answering: a 2xx, or a 404 fact ("IKKE ANSATT",
 * "UBESATT STILLING"). 429/425 (slow down) and rejected requests (other 4xx) are neither.
 */
import { dependency } from '../../src/common/dependencyHealth.ts';
import type { SourceUnavailable } from './errors.ts';

export const dfoHealth = dependency('dfo');

export function isDfoOutage(err: SourceUnavailable): boolean {
  const s = err.status;
  return s === null || s === 408 || s === 404 || s >= 500;
}
