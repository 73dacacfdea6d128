/**
 * The one schema table of the User resource: served by /Schemas and read by the filter compiler,
 * the sorter and the attributes projection, so what we advertise and how we compare never drift.
 * Attribute characteristics follow RFC 7643 §2.2 / §7 / §8.7.1, restricted to what we serve.
 * Everything is `readOnly` because this service provider never accepts writes.
 */

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const EDU_USER_SCHEMA = 'no:edu:scim:user';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';

/** RFC 7643 §7 attribute definition. */
export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

type Partial1 = Pick<AttributeDef, 'name' | 'description'> & Partial<AttributeDef>;

function attr(a: Partial1): AttributeDef {
  return {
    type: 'string', multiValued: false, required: false, caseExact: false,
    mutability: 'readOnly', returned: 'default', uniqueness: 'none', ...a,
  };
}

export const coreUserSchema: SchemaDef = {
  id: CORE_USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr({ name: 'userName', required: true, uniqueness: 'server', description: 'Unique identifier for the User, {local}@{domain}; never reused.' }),
    attr({
      name: 'name', type: 'complex', description: "The components of the user's name.",
      subAttributes: [
        attr({ name: 'formatted', description: 'The full name, given name then family name.' }),
        attr({ name: 'familyName', description: 'The family name of the User.' }),
        attr({ name: 'givenName', description: 'The given name of the User.' }),
      ],
    }),
    attr({ name: 'displayName', description: 'The name of the User, suitable for display to end-users.' }),
    attr({ name: 'active', type: 'boolean', description: "A Boolean value indicating the User's administrative status." }),
    attr({
      name: 'emails', type: 'complex', multiValued: true, description: 'Email addresses for the user; one work address.',
      subAttributes: [
        attr({ name: 'value', description: 'Email address for the User.' }),
        attr({ name: 'type', canonicalValues: ['work', 'home', 'other'], description: "A label indicating the attribute's function." }),
        attr({ name: 'primary', type: 'boolean', description: 'Whether this is the primary address.' }),
      ],
    }),
  ],
};

export const eduUserSchema: SchemaDef = {
  id: EDU_USER_SCHEMA,
  name: 'NoEduUser',
  description: 'Norwegian higher-education (IntArk) User extension; only the attributes this service provider serves.',
  attributes: [
    attr({ name: 'accountType', canonicalValues: ['primary', 'admin', 'test', 'rpa'], description: 'Kind of account; always primary here.' }),
    attr({ name: 'employeeNumber', caseExact: true, description: 'DFØ employee number as a string without leading zeros; present only while the person has an active DFØ affiliation.' }),
    attr({ name: 'studentNumber', caseExact: true, description: 'Student number from the student system (FS), by per-attribute authority; present only for persons a publisher gives one.' }),
    attr({ name: 'eduPersonAffiliation', multiValued: true, canonicalValues: ['employee', 'student', 'affiliate'], description: 'The kinds of affiliation that count today, from every source: employee (DFØ), student (a study right), affiliate (a guest stay); empty while the account is blocked. Present only for persons a publisher knows.' }),
    attr({ name: 'eduPersonPrincipalName', uniqueness: 'server', description: 'Feide id (eduPersonPrincipalName).' }),
  ],
};

/**
 * Common attributes (RFC 7643 §3.1) every resource has. Not listed in /Schemas (the RFC's own User
 * schema representation leaves them out), but filters, sortBy and projections may name them.
 */
export const commonAttributes: AttributeDef[] = [
  attr({ name: 'id', caseExact: true, returned: 'always', uniqueness: 'server', description: 'Unique identifier assigned by the service provider.' }),
  attr({ name: 'schemas', type: 'reference', multiValued: true, returned: 'always', referenceTypes: ['uri'], description: 'Schema URIs of the resource.' }),
  attr({
    name: 'meta', type: 'complex', description: 'Resource metadata.',
    subAttributes: [
      attr({ name: 'resourceType', caseExact: true, description: 'The resource type name.' }),
      attr({ name: 'created', type: 'dateTime', description: 'When the resource was added.' }),
      attr({ name: 'lastModified', type: 'dateTime', description: 'When the resource was last changed.' }),
      attr({ name: 'location', type: 'reference', caseExact: true, referenceTypes: ['uri'], description: 'URI of the resource.' }),
      attr({ name: 'version', caseExact: true, description: 'Weak entity tag of the resource.' }),
    ],
  }),
];

/** Which object of the rendered resource holds an attribute: the resource itself or the extension. */
export type Container = 'core' | 'ext';

/** An attribute path resolved against the schema table. */
export interface ResolvedAttribute {
  container: Container;
  def: AttributeDef;
  sub: AttributeDef | undefined;
  /** Canonical dotted name, e.g. `name.givenName` or `no:edu:scim:user:employeeNumber`. */
  canonical: string;
}

const lower = (s: string) => s.toLowerCase();

function findDef(list: AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  const n = lower(name);
  return list?.find((d) => lower(d.name) === n);
}

/**
 * Resolves `[uri:]attr[.sub]` case-insensitively (RFC 7644 §3.10). Without a URI the core schema
 * and common attributes are tried first, then the extension (lenient for clients that leave the
 * extension URN out). Returns undefined for attributes the User resource does not have.
 */
export function resolveAttribute(uri: string | undefined, name: string, subName: string | undefined): ResolvedAttribute | undefined {
  const u = uri === undefined ? undefined : lower(uri);
  let container: Container | undefined;
  let def: AttributeDef | undefined;
  if (u === undefined || u === lower(CORE_USER_SCHEMA)) {
    def = findDef(coreUserSchema.attributes, name) ?? findDef(commonAttributes, name);
    if (def) container = 'core';
  }
  if (!def && (u === undefined || u === lower(EDU_USER_SCHEMA))) {
    def = findDef(eduUserSchema.attributes, name);
    if (def) container = 'ext';
  }
  if (!def || !container) return undefined;
  let sub: AttributeDef | undefined;
  if (subName !== undefined) {
    sub = findDef(def.subAttributes, subName);
    if (!sub) return undefined;
  }
  const base = container === 'ext' ? `${EDU_USER_SCHEMA}:${def.name}` : def.name;
  return { container, def, sub, canonical: sub ? `${base}.${sub.name}` : base };
}
