/**
 * Where a person's username comes from when their name's own stem has run out: the ordered chain of
 * namespaces a claim walks, and the candidate names inside one namespace. A namespace is every
 * local part whose `stemOf` is its stem, so the registry task that owns the stem (the claims topic
 * is keyed by stem) decides all of its names; a claim that finds no free name in one namespace is
 * passed on, through the claims topic, to the owner of the next one.
 *
 * The chain of a person (a namespace already in the chain is not repeated):
 *  1. The default stem (`usernameStem`): given 3 + family 3 letters — `gisaas`, `gisaas2` … `gisaas9999`.
 *  2. More letters of the names: 7, then 8 letters in all, never fewer of either name than the
 *     default takes; per length the most even split first, the one with more family letters first
 *     on a tie: given 3 + family 4, given 4 + family 3, given 4 + family 4, given 3 + family 5,
 *     given 5 + family 3, … (`gislaas`, `gisleaas` for Gisle Aas).
 *  3. The middle names, i.e. the given name's words after the first and the family name's words
 *     before the last (Norwegian `mellomnavn` sits in either): first the first given word + the
 *     last family word without them (Kari Berg Hansen → `karhan`); then per middle name, in order,
 *     first given 3 + its initial + last family 3 (`annmber`), the same with its first two letters
 *     (`annmaber`), and the name the person may go by: a given-side middle name's 3 + last family 3
 *     (Per Olav Dahl → `oladah`), or first given 3 + a family-side middle name's 3 (`karber`).
 *  4. The final fallback, `employee-id`: the first letter of the default stem with the employee id,
 *     zero-padded to 5 digits (`g101926`, `g00042`).
 * Stages 1–3 are `counter` namespaces: the stem, then stem2 … stem9999 (9,999 names each).
 *
 * Why the final fallback cannot run out: its own name for a person has ≥ 5 digits after the letter,
 * so it is never a counter name (at most 4), and normalised ids have no leading zeros, so different
 * ids never pad to the same digits. Nobody else can be granted it, and a namespace grants a person
 * at most one name, so it is free whenever its person asks. It fits 12 characters for every id of up
 * to 11 digits (DFØ's employee numbers have 8). Only for a longer id (or one that is not a normalised
 * number) does the namespace fall back to its shared wide range: the letter, `0`, and a counter
 * padded to 5 digits (`g000000` … `g09999999999`), 6–11 digits that start with 0, which no own name
 * and no counter name has: 10^10 names.
 */
import { IgaRuleError } from './errors.ts';
import { candidateName, foldToAscii, MAX_CANDIDATE, STEM_PATTERN, usernameStem } from './username.ts';

/** How the names of a namespace are formed. */
export type UsernameScheme = 'counter' | 'employee-id';

/** A namespace: every local part whose stem is `stem`, formed by `scheme`. */
export interface UsernameNamespace {
  stem: string;
  scheme: UsernameScheme;
}

const MAX_LOCAL_LENGTH = 12;
/** Own names and the wide range have at least this many digits; counter names have at most 4. */
const MIN_ID_DIGITS = 5;
const NORMALISED_ID = /^(0|[1-9][0-9]*)$/;

/**
 * The chain of namespaces for a person with these names, in the order a claim tries them (see the
 * file header). The first is the default stem's counter namespace, the last the employee-id one;
 * every stem matches STEM_PATTERN and no namespace appears twice.
 */
export function usernameNamespaces(givenName: string, familyName: string): [UsernameNamespace, ...UsernameNamespace[]] {
  const defaultStem = usernameStem(givenName, familyName);
  const more = [...moreLetterStems(letters(givenName), letters(familyName)), ...middleNameStems(words(givenName), words(familyName))];
  const fallbackStems = new Set(more.filter((s) => STEM_PATTERN.test(s) && s !== defaultStem));
  const counter = (stem: string): UsernameNamespace => ({ stem, scheme: 'counter' });
  return [counter(defaultStem), ...[...fallbackStems].map(counter), finalNamespace(defaultStem)];
}

/**
 * The final fallback after the namespace of `defaultStem`: the employee-id namespace of its first
 * letter. Claims written before fallbacks existed carry only their stem, and this needs no more.
 */
export function finalNamespace(defaultStem: string): UsernameNamespace {
  return { stem: defaultStem.slice(0, 1), scheme: 'employee-id' };
}

/**
 * The candidate reserved for one person in `ns`, tried before the shared ones: in an employee-id
 * namespace the stem with the employee id padded to 5 digits, when that fits 12 characters and the
 * id is a normalised number; otherwise (and in every counter namespace) none.
 */
export function ownCandidate(ns: UsernameNamespace, employeeId: string): string | null {
  checkStem(ns);
  if (ns.scheme !== 'employee-id' || !NORMALISED_ID.test(employeeId)) return null;
  const local = ns.stem + employeeId.padStart(MIN_ID_DIGITS, '0');
  return local.length <= MAX_LOCAL_LENGTH ? local : null;
}

/**
 * The i-th shared candidate of `ns` (i ≥ 0), or null past the namespace's end. Counter: the stem,
 * then stem2 … stem9999 (`candidateName`). Employee-id: the wide range, stem + `0` + i padded to 5
 * digits, as long as it fits 12 characters.
 * @throws IgaRuleError('invalid-username') when the stem does not match STEM_PATTERN (also ownCandidate).
 */
export function sharedCandidate(ns: UsernameNamespace, i: number): string | null {
  checkStem(ns);
  if (!Number.isSafeInteger(i) || i < 0) return null;
  if (ns.scheme === 'counter') return i <= MAX_CANDIDATE ? candidateName(ns.stem, i) : null;
  const local = `${ns.stem}0${String(i).padStart(MIN_ID_DIGITS, '0')}`;
  return local.length <= MAX_LOCAL_LENGTH ? local : null;
}

/** @throws IgaRuleError('invalid-username') when the namespace's stem is not a stem. */
function checkStem(ns: UsernameNamespace): void {
  if (!STEM_PATTERN.test(ns.stem)) throw new IgaRuleError('invalid-username', `not a username stem: ${JSON.stringify(ns.stem)}`);
}

/** Stage 2: 7 and 8 letters of given + family name (see the file header for the order). */
function moreLetterStems(given: string, family: string): string[] {
  const gMin = Math.min(3, given.length);
  const fMin = Math.min(3, family.length);
  const out: string[] = [];
  for (let total = gMin + fMin + 1; total <= 8; total++) {
    const splits: Array<[number, number]> = [];
    for (let g = gMin; g <= given.length; g++) {
      const f = total - g;
      if (f >= fMin && f <= family.length) splits.push([g, f]);
    }
    splits.sort(([g1, f1], [g2, f2]) => Math.abs(g1 - f1) - Math.abs(g2 - f2) || f2 - f1);
    for (const [g, f] of splits) out.push(given.slice(0, g) + family.slice(0, f));
  }
  return out;
}

/** Stage 3: the names without their middle names, then each middle name (see the file header). */
function middleNameStems(givenWords: string[], familyWords: string[]): string[] {
  const first = (givenWords[0] ?? '').slice(0, 3);
  const last = (familyWords.at(-1) ?? '').slice(0, 3);
  const out = [first + last];
  for (const m of givenWords.slice(1)) out.push(first + m.slice(0, 1) + last, first + m.slice(0, 2) + last, m.slice(0, 3) + last);
  for (const m of familyWords.slice(0, -1)) out.push(first + m.slice(0, 1) + last, first + m.slice(0, 2) + last, first + m.slice(0, 3));
  return out;
}

/** The letters of a name, folded as for the default stem. */
function letters(name: string): string {
  return foldToAscii(name).replace(/[^a-z]/g, '');
}

/** The words of a name (split at white space; a hyphenated name is one word), as letters; empty ones dropped. */
function words(name: string): string[] {
  return name.split(/\s+/).map(letters).filter((w) => w !== '');
}
