/**
 * A storage node's refusals as walrus-service words them (`node/errors.rs`,
 * `server/extract.rs`, `walrus-storage-node-client` `api/errors.rs`): an AIP-193 status
 * (`INVALID_ARGUMENT`, `FAILED_PRECONDITION`, …) with the HTTP code it maps to, Walrus's
 * message, and one `ErrorInfo` with the reason, the domain and the metadata. Clients act
 * on the reason — the SDK raises `BlobNotRegisteredError` for `NOT_REGISTERED` — so every
 * one here is Walrus's own.
 */

/** Walrus's status codes and the HTTP codes they map to. */
const HTTP_CODE = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ApiStatus = keyof typeof HTTP_CODE;

/** Storage-node errors; service-agnostic ones (internal, unavailable) are `global`. */
const STORAGE_NODE_DOMAIN = 'storage.walrus.space';
const GLOBAL_DOMAIN = 'global';

export class NodeApiError extends Error {
  readonly httpCode: number;

  constructor(
    readonly status: ApiStatus,
    readonly reason: string,
    message: string,
    readonly domain: string = STORAGE_NODE_DOMAIN,
    readonly metadata: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'NodeApiError';
    this.httpCode = HTTP_CODE[status];
  }

  /** The JSON body Walrus answers with. */
  envelope(): unknown {
    return {
      error: {
        code: this.httpCode,
        status: this.status,
        message: this.message,
        details: [
          {
            '@type': 'ErrorInfo',
            reason: this.reason,
            domain: this.domain,
            metadata: this.metadata,
          },
        ],
      },
    };
  }
}

const NOT_REGISTERED = 'the blob has not been registered or has already expired';

export const notRegistered = () =>
  new NodeApiError('FAILED_PRECONDITION', 'NOT_REGISTERED', NOT_REGISTERED);

/** A sliver arrived before the metadata it is checked against. */
export const metadataMissing = () =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'METADATA_NOT_FOUND',
    'blob metadata is required but missing',
  );

export const metadataUnavailable = () =>
  new NodeApiError('NOT_FOUND', 'METADATA_NOT_FOUND', 'the requested metadata is unavailable');

export const sliverUnavailable = () =>
  new NodeApiError('NOT_FOUND', 'SLIVER_NOT_FOUND', 'the requested sliver is unavailable');

export const shardNotAssigned = (shard: number, epoch: number, context = '') =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'SHARD_NOT_ASSIGNED',
    `${context}shard ${shard} is not assigned to this node in epoch ${epoch}`,
  );

export const indexOutOfRange = (index: number, max: number, what = 'sliver index') =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'INDEX_OUT_OF_RANGE',
    `the requested ${what} is out of range: requires 0 <= index (${index}) < ${max}`,
  );

export const sliverIndexMismatch = (pair: number, index: number) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'SLIVER_INDEX_MISMATCH',
    `sliver index ${index} is inconsistent with sliver pair index ${pair}`,
  );

export const invalidSliver = (why: string) =>
  new NodeApiError('INVALID_ARGUMENT', 'INVALID_SLIVER', `the provided sliver is invalid: ${why}`);

export const invalidMetadata = (why: string) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'INVALID_METADATA',
    `the provided metadata failed to verify: ${why}`,
  );

export const unsupportedEncoding = (name: string) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'UNSUPPORTED_ENCODING_TYPE',
    `unsupported encoding type ${name}, supported types are: [RS2]`,
  );

/** Walrus's BCS extractor answers every unreadable body with this one reason. */
export const notOctetStream = () =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'INVALID_CONTENT_TYPE',
    'Expected request with `Content-Type: application/octet-stream`',
  );
export const notBcs = () =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'INVALID_CONTENT_TYPE',
    'unable to decode request body as BCS',
  );
export const bodyTooLong = () =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'INVALID_CONTENT_TYPE',
    'Failed to buffer the request body: length limit exceeded',
  );

export const missingSlivers = () =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'MISSING_SLIVERS',
    'the required slivers are not all stored',
  );

export const cacheSaturated = () =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'CACHE_SATURATED',
    'pending upload cache is saturated; retry once the node catches up',
  );

export const noTargetSlivers = () =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'NO_TARGET_SLIVERS_SPECIFIED',
    'at least one target sliver must be specified',
  );

export const noSymbolsSpecified = () =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'NO_SYMBOLS_SPECIFIED',
    'at least one symbol ID must be specified',
  );

export const symbolOutOfRange = (why: string) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'RECOVERY_SYMBOL_OUT_OF_RANGE',
    `the requested recovery symbol is out of range: ${why}`,
  );

export const symbolNotPresent = () =>
  new NodeApiError(
    'FAILED_PRECONDITION',
    'SYMBOL_NOT_PRESENT_AT_SHARDS',
    "the requested recovery symbol is not the responsibility of this node's shards",
  );

export const invalidProof = (why: string) =>
  new NodeApiError('INVALID_ARGUMENT', 'INVALID_PROOF', why);

export const syncUnauthorized = () =>
  new NodeApiError(
    'PERMISSION_DENIED',
    'REQUEST_UNAUTHORIZED',
    'the client is not authorized to perform the sync shard operation as it is not a storage node in the current committee',
  );

export const syncMessageInvalid = (why: string) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'MESSAGE_VERIFICATION_FAILED',
    `verification of the request to start the sync failed: ${why}`,
  );

export const syncTooManySlivers = (requested: number, limit: number) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'SLIVER_COUNT_EXCEEDS_LIMIT',
    `the requested sliver count ${requested} exceeds the limit of ${limit}`,
  );

export const invalidEpoch = (requestEpoch: number, serverEpoch: number) =>
  new NodeApiError(
    'INVALID_ARGUMENT',
    'INVALID_EPOCH',
    `the request's epoch must be the same as the server's epoch: the request's epoch (${requestEpoch}) is invalid, server epoch ${serverEpoch}`,
    STORAGE_NODE_DOMAIN,
    { request_epoch: requestEpoch, server_epoch: serverEpoch },
  );

export const unavailable = () =>
  new NodeApiError(
    'UNAVAILABLE',
    'UNAVAILABLE',
    'the service is currently unavailable',
    GLOBAL_DOMAIN,
  );

/** Walrus tells a caller nothing of an internal failure; the node's log keeps the cause. */
export const internalError = () =>
  new NodeApiError(
    'INTERNAL',
    'INTERNAL_ERROR',
    'an internal error has occurred, please report it',
    GLOBAL_DOMAIN,
  );

/**
 * Rejections Walrus's framework (axum) answers itself, before a handler runs: bad path or
 * query parameters, a body past the route's limit. Plain text, as axum writes them.
 */
export class FrameworkRejection extends Error {
  constructor(
    readonly httpCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'FrameworkRejection';
  }
}
