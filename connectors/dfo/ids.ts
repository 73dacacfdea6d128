/**
 * DFØ ids (employee numbers, position ids) arrive zero-padded or not, as strings or numbers
 * ('00101926', '101926', 101926). Cerebrum compares `str(int(id))`; we do the same without going
 * through a float, so ids of any length stay exact.
 */
import { InvalidDfoId } from './errors.ts';

/** DFØ's placeholder main position of former employees; means "no position". */
export const PLACEHOLDER_POSITION_ID = '99999999';

/**
 * Normalises a DFØ id: trims, requires decimal digits only, strips leading zeros ('0' stays '0').
 * Called by the client before building URLs, by the schemas, and by the ingress for message keys.
 * @throws InvalidDfoId when the value is empty, negative, fractional or holds anything but digits.
 */
export function normaliseId(x: string | number): string {
  // String(1.5) / String(-1) / String(1e21) fail the digit test below, as they should.
  const text = typeof x === 'number' ? String(x) : String(x).trim();
  if (!/^\d+$/.test(text)) throw new InvalidDfoId(typeof x === 'string' ? x : String(x));
  const stripped = text.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/** True when `x` is a DFØ id in any accepted spelling. Never throws. */
export function isDfoId(x: unknown): x is string | number {
  if (typeof x !== 'string' && typeof x !== 'number') return false;
  try {
    normaliseId(x);
    return true;
  } catch {
    return false;
  }
}

/** Zero-pads a normalised id to DFØ's 8 digits (longer ids are left as they are). */
export function padId(id: string, width = 8): string {
  return normaliseId(id).padStart(width, '0');
}
