/**
 * Discovery documents (RFC 7643 §5–7): ServiceProviderConfig, the User ResourceType and the
 * Schema representations. Honest about what is supported: read-only, filter/sort/etag yes,
 * patch/bulk/changePassword no.
 */
import { CORE_USER_SCHEMA, EDU_USER_SCHEMA, coreUserSchema, eduUserSchema, type AttributeDef, type SchemaDef } from './userSchema.ts';

export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

const base = (prefix: string) => prefix.replace(/\/+$/, '');

export function serviceProviderConfig(prefix: string, maxResults: number) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: `${base(prefix)}/openapi.json`,
    patch: { supported: false },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token / API key',
        description:
          'A per-client secret sent as "Authorization: Bearer <token>", or as the X-Gravitee-Api-Key or X-API-Key header (IntArk API gateway).',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base(prefix)}/ServiceProviderConfig` },
  };
}

export function userResourceType(prefix: string) {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: CORE_USER_SCHEMA,
    schemaExtensions: [{ schema: EDU_USER_SCHEMA, required: true }],
    meta: { resourceType: 'ResourceType', location: `${base(prefix)}/ResourceTypes/User` },
  };
}

function attributeJson(a: AttributeDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: a.name, type: a.type, multiValued: a.multiValued, description: a.description, required: a.required,
  };
  if (a.type !== 'complex' && a.type !== 'boolean') out.caseExact = a.caseExact;
  if (a.canonicalValues) out.canonicalValues = a.canonicalValues;
  if (a.referenceTypes) out.referenceTypes = a.referenceTypes;
  if (a.subAttributes) out.subAttributes = a.subAttributes.map(attributeJson);
  out.mutability = a.mutability;
  out.returned = a.returned;
  out.uniqueness = a.uniqueness;
  return out;
}

export function schemaResource(schema: SchemaDef, prefix: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeJson),
    meta: { resourceType: 'Schema', location: `${base(prefix)}/Schemas/${schema.id}` },
  };
}

export const servedSchemas: readonly SchemaDef[] = [coreUserSchema, eduUserSchema];
