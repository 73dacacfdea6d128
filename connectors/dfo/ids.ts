/**
 * DFØ ids in the connector. The rule (padded or not, string or number: one id) is
 * src/iga/dfoId.ts `normaliseDfoId`; here is what the connector does with a value that is no id.
 */
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import { InvalidDfoId } from './errors.ts';

/** DFØ's placeholder main position of former employees; means "no position". */
export const PLACEHOLDER_POSITION_ID = '99999999';

/**
 * The normalised id of a value that must be one: an id we are about to send to DFØ (the client
 * builds URLs with it), or that identifies an object (the datasource, the simulator).
 * @throws InvalidDfoId (not retriable) when the value is no DFØ id.
 */
export function requireDfoId(x: string | number): string {
  const id = normaliseDfoId(x);
  if (id === null) throw new InvalidDfoId(typeof x === 'string' ? x : String(x));
  return id;
}

/** Zero-pads a DFØ id to DFØ's 8 digits (longer ids are left as they are). @throws InvalidDfoId */
export function padId(id: string, width = 8): string {
  return requireDfoId(id).padStart(width, '0');
}
