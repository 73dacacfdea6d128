/**
 * Public API of the DFØ connector. Import from here; the other files are internals.
 */
export { createDfoSource, type DfoDatasource, type DfoSourceOptions } from './datasource.ts';
export { createDfoClient, type DfoClient, type DfoClientOptions, type DfoResponse } from './client.ts';
export { DfoError, InvalidDfoId, SourceInvalid, SourceRequestRejected, SourceUnavailable } from './errors.ts';
export { requireDfoId, padId, PLACEHOLDER_POSITION_ID } from './ids.ts';
export { toEmployee, toPosition } from './mapper.ts';
export { parseAnsatt, parseStilling, unwrap, toArray, type ParsedAnsatt, type ParsedStilling } from './schemas.ts';
export { parseDfoDate } from './primitives.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
