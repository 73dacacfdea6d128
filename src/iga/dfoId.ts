/**
 * DFØ ids (employee numbers, position ids) arrive zero-padded or not, as strings or numbers
 * ('00101926', '101926', 101926): they are one id, and everything that compares, keys or stores an
 * id uses this one rule. Strings are compared digit by digit, never through a float, so ids of any
 * length stay exact. Each caller decides what a value that is no id means for it (the DFØ
 * connector refuses it with InvalidDfoId, the ingress dead-letters the message, the SCIM index
 * finds nothing for it).
 */

/**
 * The normalised id: decimal digits without leading zeros ('0000' → '0'), surrounding whitespace
 * ignored; or null when `value` is no DFØ id: empty, signed, fractional, anything but ASCII digits,
 * not a string or number, or a number that is not a safe integer (its digits were lost when the
 * JSON was parsed).
 */
export function normaliseDfoId(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (!/^[0-9]+$/.test(text)) return null;
  return text.replace(/^0+(?=[0-9])/, '');
}
