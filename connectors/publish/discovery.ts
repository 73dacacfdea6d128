/**
 * What a publisher or relying party can discover without credentials (CIS's `/.well-known/mozilla-iam`):
 * `GET /.well-known/iga-stream` — the authority policy's version and rules, every publisher with its
 * schema kind, the URL of its JSON Schema and its public keys (JWK) — and `GET /publish/schemas`,
 * the JSON Schema of each publisher's profile.
 */
import { PROFILE_ATTRIBUTES } from '../../src/iga/authority.ts';
import { profileJsonSchema } from '../../src/topology/contracts/publisherProfiles.ts';
import { DFO_PUBLISHER, type PublishersConfig } from '../../src/topology/contracts/publishers.ts';

export function publisherSchemas(cfg: PublishersConfig): Record<string, unknown> {
  return Object.fromEntries([...cfg.publishers.values()].map((p) => [p.name, { kind: p.schema, schema: profileJsonSchema(p.schema) }]));
}

export function wellKnownDocument(cfg: PublishersConfig): Record<string, unknown> {
  return {
    issuer: 'iga-stream',
    policyVersion: cfg.version,
    endpoints: { publish: '/publish/{publisher}/profiles', schemas: '/publish/schemas', changes: '/changes?messageId={messageId}' },
    signing: { format: 'compact JWS (RFC 7515), payload the profile JSON', algorithms: ['EdDSA', 'ES256', 'RS256'] },
    publishers: Object.fromEntries([...cfg.publishers.values()].map((p) => [p.name, {
      schema: p.schema, schemaUrl: `/publish/schemas#${p.name}`, signed: p.keys.length > 0, keys: { keys: p.keys.map((k) => k.jwk) },
    }])),
    authority: {
      attributes: Object.fromEntries(PROFILE_ATTRIBUTES.map((a) => [a, cfg.authority[a] ?? { writers: [], requiredFrom: [] }])),
      note: `a profile is all or nothing: one that sets an attribute its publisher is not a writer of, or lacks one it must send, is refused whole; where several may write an attribute, the first writer with a value wins. ${DFO_PUBLISHER} publishes through the DFØ integration.`,
    },
  };
}
