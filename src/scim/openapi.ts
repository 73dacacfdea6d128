/**
 * OpenAPI 3.1 description of the SCIM API, served at /openapi.json. `test/scim/openapi.test.ts`
 * checks that every path here answers and every routed path is here.
 */

const scimJson = (schema: object) => ({ content: { 'application/scim+json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, ...scimJson(ref('Error')) });
const errors = {
  '400': error('invalidFilter, invalidValue or invalidSyntax'),
  '401': error('Missing or unknown credentials (WWW-Authenticate: Bearer realm="iga-stream")'),
  '429': error('Rate limit exceeded; see Retry-After'),
  '503': error('Not ready or query timed out; see Retry-After'),
};
const notImplemented = { responses: { '501': error('Not supported by this read-only provider') } };
const secured = [{ bearer: [] }, { graviteeKey: [] }, { apiKey: [] }];
const param = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const queryParams = [
  param('filter', 'RFC 7644 §3.4.2.2 filter, at most 2048 characters'),
  param('sortBy', 'Attribute to sort by'),
  param('sortOrder', 'ascending (default) or descending', { type: 'string', enum: ['ascending', 'descending'] }),
  param('startIndex', '1-based index of the first result', { type: 'integer' }),
  param('count', 'Page size, capped at filter.maxResults', { type: 'integer' }),
  param('attributes', 'Comma-separated attributes to return'),
  param('excludedAttributes', 'Comma-separated attributes to leave out'),
  param('userName', 'Sector shortcut: exact userName (case-insensitive)'),
  param('employeeNumber', 'Sector shortcut: DFØ employee number; leading zeros ignored'),
];
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const discovery = (summary: string) => ({
  get: { summary, security: [], responses: { '200': { description: summary, ...scimJson({ type: 'object' }) }, '403': error('filter given'), '404': error('Unknown item') } },
});

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'iga-stream SCIM 2.0 API', version: '1.0.0', description: 'Read-only SCIM 2.0 (RFC 7643/7644) service provider for accounts issued by iga-stream, with the IntArk no:edu:scim:user extension.' },
    servers: [{ url: serverUrl }],
    security: secured,
    paths: {
      '/ServiceProviderConfig': discovery('Service provider configuration'),
      '/ResourceTypes': discovery('Resource types (ListResponse)'),
      '/ResourceTypes/{name}': { ...discovery('One resource type'), parameters: [pathParam('name')] },
      '/Schemas': discovery('Schemas (ListResponse)'),
      '/Schemas/{uri}': { ...discovery('One schema'), parameters: [pathParam('uri')] },
      '/Users': {
        get: { summary: 'Query Users', parameters: queryParams, responses: { '200': { description: 'ListResponse', ...scimJson(ref('ListResponse')) }, ...errors } },
        post: notImplemented,
      },
      '/Users/{id}': {
        parameters: [pathParam('id')],
        get: {
          summary: 'One User',
          parameters: [param('attributes', 'Attributes to return'), param('excludedAttributes', 'Attributes to leave out'), { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The User; ETag header W/"<version>"', ...scimJson(ref('User')) },
            '304': { description: 'Not modified (If-None-Match matched)' },
            '404': error('No such User'), ...errors,
          },
        },
        put: notImplemented, patch: notImplemented, delete: notImplemented,
      },
      '/Users/.search': { post: { summary: 'Query Users with a SearchRequest body', requestBody: { required: true, ...scimJson(ref('SearchRequest')) }, responses: { '200': { description: 'ListResponse', ...scimJson(ref('ListResponse')) }, ...errors } } },
      '/.search': { post: { summary: 'Query all resources (Users only)', requestBody: { required: true, ...scimJson(ref('SearchRequest')) }, responses: { '200': { description: 'ListResponse', ...scimJson(ref('ListResponse')) }, ...errors } } },
      '/Groups': { get: { summary: 'Always an empty ListResponse', responses: { '200': { description: 'ListResponse', ...scimJson(ref('ListResponse')) } } } },
      '/Groups/{id}': { parameters: [pathParam('id')], get: { summary: 'No Groups exist', responses: { '404': error('No such Group') } } },
      '/Me': { get: { summary: 'Not supported (RFC 7644 §3.11)', ...notImplemented } },
      '/Bulk': { post: { summary: 'Not supported', ...notImplemented } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        graviteeKey: { type: 'apiKey', in: 'header', name: 'X-Gravitee-Api-Key' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Error: {
          type: 'object', required: ['schemas', 'status'],
          properties: { schemas: { type: 'array', items: { type: 'string' } }, status: { type: 'string' }, scimType: { type: 'string' }, detail: { type: 'string' } },
        },
        ListResponse: {
          type: 'object', required: ['schemas', 'totalResults'],
          properties: { schemas: { type: 'array', items: { type: 'string' } }, totalResults: { type: 'integer' }, startIndex: { type: 'integer' }, itemsPerPage: { type: 'integer' }, Resources: { type: 'array', items: ref('User') } },
        },
        SearchRequest: {
          type: 'object',
          properties: {
            schemas: { type: 'array', items: { type: 'string' } }, filter: { type: 'string' }, sortBy: { type: 'string' }, sortOrder: { type: 'string' },
            startIndex: { type: 'integer' }, count: { type: 'integer' }, attributes: { type: 'array', items: { type: 'string' } }, excludedAttributes: { type: 'array', items: { type: 'string' } },
          },
        },
        User: {
          type: 'object', required: ['schemas', 'id'],
          properties: {
            schemas: { type: 'array', items: { type: 'string' } }, id: { type: 'string' }, userName: { type: 'string' }, active: { type: 'boolean' }, displayName: { type: 'string' },
            name: { type: 'object', properties: { formatted: { type: 'string' }, givenName: { type: 'string' }, familyName: { type: 'string' } } },
            emails: { type: 'array', items: { type: 'object', properties: { value: { type: 'string' }, type: { type: 'string' }, primary: { type: 'boolean' } } } },
            'no:edu:scim:user': { type: 'object', properties: { accountType: { type: 'string' }, employeeNumber: { type: 'string' }, eduPersonPrincipalName: { type: 'string' } } },
            meta: { type: 'object', properties: { resourceType: { type: 'string' }, created: { type: 'string', format: 'date-time' }, lastModified: { type: 'string', format: 'date-time' }, location: { type: 'string' }, version: { type: 'string' } } },
          },
        },
      },
    },
  };
}
