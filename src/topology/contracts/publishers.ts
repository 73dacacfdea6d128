/**
 * The publishers file (IGA_PUBLISHERS_FILE, JSON; README "Publishers"): who may publish profiles,
 * with which schema and which signing keys, and the per-attribute authority rules. Changing the file
 * is a new policy version (its `version`, or one derived from the content), recorded in every
 * validation decision. Read at start-up; a file with problems stops it, naming each.
 *
 * Readers: the publisher input (names, tokens are separate), the validation step (schemas, keys,
 * rules), the well-known document (everything but private material, which the file never holds).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { PROFILE_ATTRIBUTES, ruleProblems, type AuthorityRules, type ProfileAttribute } from '../../iga/authority.ts';
import { MATCH_KEYS, type MatchKey } from '../../iga/matching.ts';
import { importPublicJwk, type JwsAlgorithm, type PublicJwk } from '../../common/jws.ts';
import { PROFILE_KINDS, type ProfileKind } from './publisherProfiles.ts';

/** Publisher names: also AMQP routing keys, URL segments and token names. */
export const PUBLISHER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** DFØ publishes through its own path (the ingress); the rules may still name it as an owner. */
export const DFO_PUBLISHER = 'dfo';

const jwk = z.object({ kid: z.string().min(1).max(100), kty: z.string() }).passthrough();
const fileSchema = z.object({
  version: z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits and . _ : - (at most 64)').optional(),
  publishers: z.record(z.string().regex(PUBLISHER_NAME, 'a publisher name: a–z, 0–9 and -, starting with a letter'), z.object({
    schema: z.enum(PROFILE_KINDS),
    keys: z.array(jwk).max(10).default([]),
  }).strict()),
  authority: z.partialRecord(z.enum(PROFILE_ATTRIBUTES), z.object({
    writers: z.array(z.string().regex(PUBLISHER_NAME)).min(1),
    requiredFrom: z.array(z.string().regex(PUBLISHER_NAME)).default([]),
  }).strict()),
  /** Which matching keys a profile is matched by, first offered first (default nin, accountId, employeeNumber). */
  matching: z.object({
    order: z.array(z.enum(MATCH_KEYS)).min(1).refine((o) => new Set(o).size === o.length, 'a key is named twice'),
  }).strict().optional(),
}).strict();

export interface PublisherKey { kid: string; key: KeyObject; alg: JwsAlgorithm; jwk: PublicJwk }

export interface PublisherSettings {
  name: string;
  schema: ProfileKind;
  /** Its public keys; when there is one, every profile of this publisher must be signed with one of them. */
  keys: PublisherKey[];
}

export interface PublishersConfig {
  /** The authority policy's version, recorded in every validation decision. */
  version: string;
  publishers: ReadonlyMap<string, PublisherSettings>;
  authority: AuthorityRules;
  /** The matching keys in the order a profile is matched by them (README "One person across sources"). */
  matchOrder: readonly MatchKey[];
}

/** Parses the publishers file; throws an Error listing every problem. */
export function parsePublishersFile(text: string, source = 'IGA_PUBLISHERS_FILE'): PublishersConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${source}:\n  ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('\n  ')}`);
  const f = parsed.data;
  const problems: string[] = [];
  const publishers = new Map<string, PublisherSettings>();
  for (const [name, p] of Object.entries(f.publishers)) {
    if (name === DFO_PUBLISHER) problems.push(`publishers.${name}: DFØ publishes through its own path; the name is reserved`);
    const keys: PublisherKey[] = [];
    for (const k of p.keys as PublicJwk[]) {
      try {
        if (keys.some((x) => x.kid === k.kid)) throw new Error(`key ${k.kid}: kid used twice`);
        keys.push({ kid: k.kid, ...importPublicJwk(k), jwk: publicPart(k) });
      } catch (err) {
        problems.push(`publishers.${name}.keys: ${(err as Error).message}`);
      }
    }
    publishers.set(name, { name, schema: p.schema, keys });
  }
  const authority: Partial<Record<ProfileAttribute, { writers: string[]; requiredFrom: string[] }>> = f.authority;
  for (const [attr, rule] of Object.entries(authority)) {
    for (const w of rule!.writers) if (w !== DFO_PUBLISHER && !publishers.has(w)) problems.push(`authority.${attr}: writer ${w} is not a configured publisher`);
  }
  problems.push(...ruleProblems(authority).map((p) => `authority.${p}`));
  if (problems.length > 0) throw new Error(`${source}:\n  ${problems.join('\n  ')}`);
  return { version: f.version ?? `a-${createHash('sha256').update(canonical(f)).digest('hex').slice(0, 10)}`, publishers, authority, matchOrder: f.matching?.order ?? MATCH_KEYS };
}

/** Only the public members of a JWK (what the well-known document shows). */
function publicPart(k: PublicJwk): PublicJwk {
  const allowed = ['kid', 'kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'use'];
  return Object.fromEntries(Object.entries(k).filter(([key]) => allowed.includes(key))) as PublicJwk;
}

/** JSON with sorted keys, so the derived version does not depend on the file's formatting or key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
