/**
 * Username generation. A username is `{local}@{domain}`; local matches `[a-z][a-z0-9]{0,11}`
 * (README.md of uib/iam-scim). Locals are built as stem + counter: the stem is 1–8 letters from the
 * person's name, the counter is absent for the first candidate and 2, 3, … after that, so
 * `stemOf(local)` (strip trailing digits) gives the stem back and 8 letters + 4 digits fit in 12.
 * Uniqueness is not decided here: the caller claims candidates through the name-keyed claim topic.
 * When a stem's 9,999 candidates are used up, the claim goes on to the person's fallback stems and
 * finally to a name from the employee id (usernameNamespaces.ts).
 */
import { IgaRuleError } from './errors.ts';

/** A stem: 1–8 lower-case letters. */
export const STEM_PATTERN = /^[a-z][a-z]{0,7}$/;
/** A username's local part. */
export const LOCAL_PART_PATTERN = /^[a-z][a-z0-9]{0,11}$/;
/** Stem used when a name yields no letters at all. */
export const FALLBACK_STEM = 'user';
/** Largest `n` accepted by `candidateName` (gives the suffix 9999). */
export const MAX_CANDIDATE = 9998;

/** Letters NFKD does not decompose (or decomposes differently from Norwegian custom). */
const SPECIAL: Record<string, string> = {
  æ: 'ae', ø: 'o', å: 'a', ö: 'o', ä: 'a', ü: 'u', é: 'e', ß: 'ss', ð: 'd', þ: 'th', ł: 'l',
  œ: 'oe', đ: 'd', ŧ: 't', ŋ: 'n', ı: 'i', ħ: 'h', ĸ: 'k', ʒ: 'z', ƶ: 'z',
};

/**
 * Folds a name to lower-case ASCII [a-z0-9]: Norwegian and Sámi letters by the table above
 * (æ→ae, ø→o, å→a, ð→d, þ→th, ŋ→n, …), every other diacritic stripped via NFKD, anything else
 * (spaces, hyphens, apostrophes, other scripts) dropped.
 */
export function foldToAscii(s: string): string {
  let out = '';
  for (const ch of s.toLowerCase()) {
    out += SPECIAL[ch] ?? ch.normalize('NFKD').replace(/\p{M}/gu, '');
  }
  return out.replace(/[^a-z0-9]/g, '');
}

/**
 * The default username stem: the first 3 letters of the folded given name plus the first 3 of the
 * folded family name ('Gisle Aas' → 'gisaas', 'Øystein Ødegård' → 'oysode'). Letters only (digits
 * are dropped), so it always matches STEM_PATTERN; 'user' when neither name has a usable letter.
 */
export function usernameStem(givenName: string, familyName: string): string {
  const letters = (name: string) => foldToAscii(name).replace(/[^a-z]/g, '');
  const stem = (letters(givenName).slice(0, 3) + letters(familyName).slice(0, 3)).slice(0, 8);
  return stem === '' ? FALLBACK_STEM : stem;
}

/**
 * The n-th candidate local part for `stem`: n = 0 → stem, n ≥ 1 → stem + (n + 1)
 * ('gisaas', 'gisaas2', 'gisaas3', …). Injective in n, and `stemOf` of the result is `stem`.
 * @throws IgaRuleError('invalid-username') if `stem` does not match STEM_PATTERN or n is not an
 *   integer in 0..MAX_CANDIDATE.
 */
export function candidateName(stem: string, n: number): string {
  if (!STEM_PATTERN.test(stem)) throw new IgaRuleError('invalid-username', `not a username stem: ${JSON.stringify(stem)}`);
  if (!Number.isInteger(n) || n < 0 || n > MAX_CANDIDATE) {
    throw new IgaRuleError('invalid-username', `candidate number must be 0..${MAX_CANDIDATE}, got ${n}`);
  }
  return n === 0 ? stem : `${stem}${n + 1}`;
}

/** The stem of a local part: everything before the trailing digits ('gisaas12' → 'gisaas'). */
export function stemOf(localPart: string): string {
  return localPart.replace(/[0-9]+$/, '');
}

/** True iff `local` is a valid username local part (`[a-z][a-z0-9]{0,11}`). */
export function isValidLocalPart(local: string): boolean {
  return LOCAL_PART_PATTERN.test(local);
}

const DOMAIN_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * `{local}@{domain}` with the domain lower-cased.
 * @throws IgaRuleError('invalid-username') for an invalid local part or domain.
 */
export function userNameFor(local: string, domain: string): string {
  const d = domain.toLowerCase();
  if (!isValidLocalPart(local)) throw new IgaRuleError('invalid-username', `not a valid local part: ${JSON.stringify(local)}`);
  if (!DOMAIN_PATTERN.test(d)) throw new IgaRuleError('invalid-username', `not a valid domain: ${JSON.stringify(domain)}`);
  return `${local}@${d}`;
}

/**
 * Splits `local@domain`; null when `userName` is not exactly that shape with a valid local part.
 */
export function splitUserName(userName: string): { local: string; domain: string } | null {
  const at = userName.indexOf('@');
  if (at < 0 || at !== userName.lastIndexOf('@')) return null;
  const local = userName.slice(0, at);
  const domain = userName.slice(at + 1);
  return isValidLocalPart(local) && DOMAIN_PATTERN.test(domain) ? { local, domain } : null;
}
