/**
 * The storage node's REST API as a table: walrus-service's routes (`node/server/routes.rs`),
 * each with its path, the query parameters it takes, its body (limit and whether it must
 * be labelled application/octet-stream) and its handler. The server matches requests
 * against this table and `/v1/api` documents it.
 */
import type { IncomingMessage } from 'node:http';
import { blobIdFromString, MAX_SYMBOL_SIZE, EncodingConfig } from '../../walrus/encoding/index.js';
import type { SliverKind } from '../../walrus/encoding/index.js';
import type { RoutePattern } from '../../http/router.js';
import type { BlobPersistence } from '../../walrus/protocol/confirmation.js';
import { bodyTooLong, FrameworkRejection, invalidSliver } from './api-errors.js';
import { MAX_CONFIRMATION_WAIT_MS, type NodeApi, type StoreOutcome } from './node-api.js';

export interface NodeRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Uint8Array;
  req: IncomingMessage;
}

export type NodeReply =
  | { status: number; json: unknown }
  | { status: number; bytes: Uint8Array }
  | { status: number; html: string };

export interface BodyRule {
  /** The most bytes the body may have, given the request's path parameters. */
  limit(params: Record<string, string>): Promise<number>;
  /** What a body over the limit is answered with. */
  tooLarge(): Error;
  /** Walrus's BCS extractor refuses bodies labelled other than application/octet-stream. */
  octetStream: boolean;
}

export interface NodeRoute extends RoutePattern {
  method: 'GET' | 'PUT' | 'POST';
  summary: string;
  /** Query parameters it takes; with `strictQuery` any other is refused (serde's deny_unknown_fields). */
  query: string[];
  strictQuery?: boolean;
  body?: BodyRule;
  handle(r: NodeRequest): Promise<NodeReply>;
}

/** Walrus's `ApiSuccess` envelope. */
export const success = (status: number, data: unknown): NodeReply => ({
  status,
  json: { success: { code: status, data } },
});

/** Body limits of Walrus's routes. Axum's default for any body: 2 MiB. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;
/** Walrus allows a sliver PUT the largest sliver of the system plus this much. */
export const SLIVER_HEADROOM = 128;

/** The largest sliver any blob can have on `nShards` shards: n − f symbols of the largest size. */
export function maxSliverBytes(nShards: number): number {
  return new EncodingConfig(nShards).secondarySourceSymbols * MAX_SYMBOL_SIZE;
}

const AXUM_TOO_LARGE = 'Failed to buffer the request body: length limit exceeded';
export const payloadTooLarge = () => new FrameworkRejection(413, AXUM_TOO_LARGE);

export function outcomeReply(what: 'metadata' | 'sliver', outcome: StoreOutcome): NodeReply {
  const text = {
    metadata: {
      stored: 'metadata successfully stored',
      already: 'metadata already stored',
      buffered: 'metadata buffered pending registration',
    },
    sliver: {
      stored: 'sliver stored successfully',
      already: 'sliver already stored',
      buffered: 'sliver buffered pending registration',
    },
  }[what][outcome];
  return success({ stored: 201, already: 200, buffered: 202 }[outcome], text);
}

// ---- path and query parameters, parsed as Walrus's extractors parse them -----------

export function blobIdParam(params: Record<string, string>): string {
  const text = params.blob_id!;
  try {
    blobIdFromString(text);
    return text;
  } catch {
    throw new FrameworkRejection(400, `Invalid URL: Cannot parse \`${text}\` to a \`BlobId\``);
  }
}

export function pairParam(params: Record<string, string>): number {
  const text = params.sliver_pair_index!;
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 0xffff)
    throw new FrameworkRejection(400, `Invalid URL: Cannot parse \`${text}\` to a \`u16\``);
  return Number(text);
}

export function kindParam(params: Record<string, string>): SliverKind {
  const text = params.sliver_type!;
  if (text !== 'primary' && text !== 'secondary')
    throw new FrameworkRejection(
      400,
      `Invalid URL: unknown variant \`${text}\`, expected \`primary\` or \`secondary\``,
    );
  return text;
}

export function objectIdParam(params: Record<string, string>): string {
  const text = params.object_id!;
  if (!/^(0x)?[0-9a-fA-F]{1,64}$/.test(text))
    throw new FrameworkRejection(400, `Invalid URL: Cannot parse \`${text}\` to an \`ObjectID\``);
  const hex = text.replace(/^0x/, '').toLowerCase();
  return '0x' + hex.padStart(64, '0');
}

export function boolQuery(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new FrameworkRejection(
    400,
    `Failed to deserialize query string: ${name}: provided string was not \`true\` or \`false\``,
  );
}

export function u64Query(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null) return null;
  if (!/^[0-9]{1,15}$/.test(v))
    throw new FrameworkRejection(
      400,
      `Failed to deserialize query string: ${name}: invalid digit found in string`,
    );
  return Number(v);
}

/** A sliver body may not exceed the blob's largest sliver when the node knows the blob. */
export function blobSliverBound(declared: number | null, bound: number | null): void {
  if (declared !== null && bound !== null && declared > bound + SLIVER_HEADROOM)
    throw invalidSliver(`its ${declared} bytes exceed the blob's largest sliver (${bound} bytes)`);
}

/** What the routes call: the node's API, and the parts that need the whole node. */
export interface NodeHandlers {
  api: NodeApi;
  nShards(): Promise<number>;
  health(detailed: boolean): Promise<unknown>;
  blobStatus(blobId: string): Promise<unknown>;
  /** A confirmation, waiting up to `waitMs` for a registration when asked to. */
  confirmation(
    blobId: string,
    persistence: BlobPersistence,
    waitMs: number | null,
  ): Promise<unknown>;
  recoverySymbols(blobId: string, q: URLSearchParams): Promise<Uint8Array>;
  decodingSymbols(blobId: string, q: URLSearchParams): Promise<Uint8Array>;
  inconsistencyProof(blobId: string, kind: SliverKind, body: Uint8Array): Promise<unknown>;
  syncShard(authorization: string | undefined, body: Uint8Array): Promise<Uint8Array>;
}

const BLOB = '/v1/blobs/:blob_id';
const SLIVER = `${BLOB}/slivers/:sliver_pair_index/:sliver_type`;

export function nodeRoutes(h: NodeHandlers, docs: () => string): NodeRoute[] {
  const bytes = (b: Uint8Array): NodeReply => ({ status: 200, bytes: b });
  const anyBody = (octetStream: boolean, tooLarge: () => Error): BodyRule => ({
    limit: async () => DEFAULT_BODY_LIMIT,
    tooLarge,
    octetStream,
  });
  return [
    {
      method: 'GET',
      path: '/v1/api',
      summary: 'This documentation.',
      query: [],
      handle: async () => ({ status: 200, html: docs() }),
    },
    {
      method: 'GET',
      path: `${BLOB}/metadata`,
      summary: 'The BCS-encoded metadata of a registered blob.',
      query: [],
      handle: async ({ params }) => bytes(await h.api.getMetadata(blobIdParam(params))),
    },
    {
      method: 'PUT',
      path: `${BLOB}/metadata`,
      summary:
        "Stores a registered blob's BCS-encoded metadata: 201 stored, 200 already stored, 202 buffered with ?pending=true until the registration is seen.",
      query: ['pending'],
      strictQuery: true,
      body: anyBody(true, bodyTooLong),
      handle: async ({ params, query, body }) =>
        outcomeReply(
          'metadata',
          await h.api.putMetadata(blobIdParam(params), body, boolQuery(query, 'pending')),
        ),
    },
    {
      method: 'GET',
      path: `${BLOB}/metadata/status`,
      summary: 'Whether the metadata is stored: "nonexistent" or "stored".',
      query: [],
      handle: async ({ params }) => success(200, await h.api.metadataStatus(blobIdParam(params))),
    },
    {
      method: 'GET',
      path: SLIVER,
      summary: "A BCS-encoded primary or secondary sliver of one of this node's shards.",
      query: [],
      handle: async ({ params }) =>
        bytes(await h.api.getSliver(blobIdParam(params), pairParam(params), kindParam(params))),
    },
    {
      method: 'PUT',
      path: SLIVER,
      summary:
        'Stores a BCS-encoded sliver, verified against the metadata: 201, 200 or 202 as for metadata. Bodies past the largest sliver of the system (plus 128 bytes) are refused with 413 before they are read.',
      query: ['pending'],
      strictQuery: true,
      body: {
        limit: async () => maxSliverBytes(await h.nShards()) + SLIVER_HEADROOM,
        tooLarge: payloadTooLarge,
        octetStream: false,
      },
      handle: async ({ params, query, body }) =>
        outcomeReply(
          'sliver',
          await h.api.putSliver(
            blobIdParam(params),
            pairParam(params),
            kindParam(params),
            body,
            boolQuery(query, 'pending'),
          ),
        ),
    },
    {
      method: 'GET',
      path: `${SLIVER}/status`,
      summary: 'Whether the sliver is "nonexistent", "buffered" or "stored".',
      query: [],
      handle: async ({ params }) =>
        success(
          200,
          await h.api.sliverStatus(blobIdParam(params), pairParam(params), kindParam(params)),
        ),
    },
    {
      method: 'GET',
      path: `${BLOB}/confirmation/permanent`,
      summary:
        'A signed storage confirmation for a permanent blob; ?wait_for_registration=true&wait_millis=N waits (at most 5 s) for the registration of data buffered here.',
      query: ['wait_for_registration', 'wait_millis'],
      handle: async ({ params, query }) =>
        success(
          200,
          await h.confirmation(blobIdParam(params), { deletable: false }, waitOf(query)),
        ),
    },
    {
      method: 'GET',
      path: `${BLOB}/confirmation/deletable/:object_id`,
      summary: 'A signed storage confirmation for the deletable Blob object named.',
      query: ['wait_for_registration', 'wait_millis'],
      handle: async ({ params, query }) =>
        success(
          200,
          await h.confirmation(
            blobIdParam(params),
            { deletable: true, objectId: objectIdParam(params) },
            waitOf(query),
          ),
        ),
    },
    {
      method: 'GET',
      path: `${BLOB}/recoverySymbols`,
      summary:
        'BCS recovery symbols with Merkle proofs: ?id=P-S (repeatable) or ?targetSliver=I&targetType=primary|secondary, optionally &proofAxis=…',
      query: ['id', 'targetSliver', 'targetType', 'proofAxis'],
      handle: async ({ params, query }) =>
        bytes(await h.recoverySymbols(blobIdParam(params), query)),
    },
    {
      method: 'GET',
      path: `${BLOB}/decodingSymbols`,
      summary:
        'BCS decoding symbols (no proofs) for source slivers: ?targetSlivers=I (repeatable)&targetType=primary|secondary',
      query: ['targetSlivers', 'targetType'],
      handle: async ({ params, query }) =>
        bytes(await h.decodingSymbols(blobIdParam(params), query)),
    },
    {
      method: 'POST',
      path: `${BLOB}/inconsistencyProof/:sliver_type`,
      summary:
        'Verifies a BCS inconsistency proof and answers a signed attestation that the blob id is invalid.',
      query: [],
      body: anyBody(false, payloadTooLarge),
      handle: async ({ params, body }) =>
        success(200, await h.inconsistencyProof(blobIdParam(params), kindParam(params), body)),
    },
    {
      method: 'GET',
      path: `${BLOB}/status`,
      summary: "The blob's status as this node sees it: nonexistent, permanent or deletable.",
      query: [],
      handle: async ({ params }) => success(200, await h.blobStatus(blobIdParam(params))),
    },
    {
      method: 'GET',
      path: '/v1/health',
      summary: "The node's health; ?detailed=true adds the status of each shard.",
      query: ['detailed'],
      handle: async ({ query }) => success(200, await h.health(boolQuery(query, 'detailed'))),
    },
    {
      method: 'POST',
      path: '/v1/migrate/sync_shard',
      summary:
        "For a committee member gaining a shard: the certified blobs' slivers of that shard held here, from a starting blob id (BCS SignedMessage<SyncShardMsg> in, BCS SyncShardResponse out; Authorization: the requester's BLS public key, base64).",
      query: [],
      body: anyBody(true, bodyTooLong),
      handle: async ({ req, body }) => bytes(await h.syncShard(header(req, 'authorization'), body)),
    },
  ];
}

function waitOf(q: URLSearchParams): number | null {
  if (!boolQuery(q, 'wait_for_registration')) return null;
  return u64Query(q, 'wait_millis') ?? MAX_CONFIRMATION_WAIT_MS;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
