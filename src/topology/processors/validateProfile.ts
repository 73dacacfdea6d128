/**
 * The validation step's decision for one published profile, without I/O: the publisher is known,
 * its signature verifies when it has keys (and it is signed then), the profile fits its publisher's
 * schema, and it sets only attributes its publisher owns and every one it must send (the authority
 * rules). Every reason is collected, not just the first, so a publisher fixes everything at once.
 */
import { attributesSet, authorityProblems } from '../../iga/authority.ts';
import { checkJsonLimits, type JsonLimits } from '../../common/jsonLimits.ts';
import { verifyCompactJws } from '../../common/jws.ts';
import type { PublishersConfig } from '../contracts/publishers.ts';
import { profileProblems, type PublisherProfile } from '../contracts/publisherProfiles.ts';

export type ProfileVerdict =
  | { ok: true; profile: PublisherProfile; signedBy: string | null }
  | { ok: false; reasons: string[] };

/** Limits on a signed profile's payload (the input checked the bytes it received, the JWS wrapped these). */
export const PROFILE_PAYLOAD_LIMITS: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 16, maxStringBytes: 4096, maxArrayItems: 100, maxObjectKeys: 64 };

export function validateProfile(publisher: string, item: unknown, cfg: PublishersConfig): ProfileVerdict {
  const settings = cfg.publishers.get(publisher);
  if (!settings) return { ok: false, reasons: [`publisher: ${publisher} is not configured (policy ${cfg.version})`] };
  let value: unknown = item;
  let signedBy: string | null = null;
  if (settings.keys.length > 0) {
    if (typeof item !== 'string') return { ok: false, reasons: [`signature: ${publisher} signs its profiles (keys ${settings.keys.map((k) => k.kid).join(', ')}); this one is not signed (send the profile as a compact JWS string)`] };
    const v = verifyCompactJws(item, settings.keys);
    if (!v.ok) return { ok: false, reasons: [`signature: ${v.reason}`] };
    const limits = checkJsonLimits(v.payload, PROFILE_PAYLOAD_LIMITS);
    if (!limits.ok) return { ok: false, reasons: [`payload: ${limits.reason}`] };
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(v.payload));
    } catch {
      return { ok: false, reasons: ['payload: the signed payload is not JSON in UTF-8'] };
    }
    signedBy = v.kid;
  } else if (typeof item === 'string') {
    return { ok: false, reasons: [`signature: the profile is signed, but no key is configured for ${publisher} to verify it; send it unsigned or have its key configured`] };
  }
  const reasons: string[] = [];
  const schema = profileProblems(settings.schema, value);
  if (!schema.ok) reasons.push(...schema.reasons.map((r) => `schema ${settings.schema}: ${r}`));
  // Authority is judged on whatever attributes the object sets, even when its schema failed too.
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    reasons.push(...authorityProblems(cfg.authority, publisher, attributesSet(value as Record<string, unknown>)).map((r) => `authority: ${r}`));
  }
  if (reasons.length > 0 || !schema.ok) return { ok: false, reasons };
  return { ok: true, profile: schema.profile, signedBy };
}
