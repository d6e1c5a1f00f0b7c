/**
 * A localnet storage node: Walrus's storage-node REST API (paths, methods, BCS bodies
 * and JSON envelopes as in walrus-service `node/server/routes.rs`) over a `SliverStore`,
 * accepting only what the chain says it should hold and signing storage confirmations
 * with its BLS key once it holds all of its shards' slivers of a blob.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadChain } from '../../walrus/chain/chain.js';
import {
  blobIdFromMetadata,
  blobIdFromString,
  blobIdToString,
  decodeMetadata,
  decodeMetadataWithId,
  encodeMetadataWithId,
  MalformedBcsError,
  verifySliver,
  InvalidSliverError,
  type BlobMetadata,
  type SliverKind,
} from '../../walrus/encoding/index.js';
import { blsSign, blsPublicKey } from '../../walrus/protocol/bls.js';
import { confirmationMessage, type BlobPersistence } from '../../walrus/protocol/confirmation.js';
import { pairIndexToShard, shardToPairIndex } from '../../walrus/shards.js';
import { ChainView } from './chain-view.js';
import type { LocalChain } from '../../walrus/chain/local-chain.js';
import { proveChallenge, type Challenge } from './challenge-responder.js';
import { missingPairs, recoverBlob, type RecoveryResult } from './recovery.js';
import { SliverStore } from './sliver-store.js';

/** Generous for one sliver: a 65 534-byte symbol times 667 columns is ~42 MiB. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface StorageNodeOptions {
  nodeId: string;
  dataDir: string;
  blsSecretKey: Uint8Array;
  port?: number;
  /** How often to follow the chain for deletions and expiries. */
  pollIntervalMs?: number;
}

/** An API error in Walrus's envelope: HTTP status, a gRPC-style status name, a reason. */
class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (reason: string, message: string) =>
  new ApiError(404, 'NOT_FOUND', reason, message);
const badRequest = (reason: string, message: string) =>
  new ApiError(400, 'INVALID_ARGUMENT', reason, message);
const precondition = (reason: string, message: string) =>
  new ApiError(409, 'FAILED_PRECONDITION', reason, message);

export class StorageNode {
  private server: Server | null = null;
  private follower: NodeJS.Timeout | null = null;
  private eventCursor = 0;
  private viewOrNull: ChainView | null = null;
  readonly store: SliverStore;
  readonly publicKey: Uint8Array;
  private readonly metadataCache = new Map<string, BlobMetadata>();
  /** Certified blobs the chain has announced: what this node must hold its share of. */
  private readonly certified = new Set<string>();
  private recoveryQueue: Promise<unknown> = Promise.resolve();
  /** The operator's account, which signs challenge answers; without it challenges go unanswered. */
  private operator: LocalChain | null = null;
  readonly challengeLog: { challengeId: string; passed?: boolean; error?: string }[] = [];
  /** Outcome of the most recent recovery attempts, for health and tests. */
  readonly recoveryLog: (RecoveryResult | { blobId: string; error: string })[] = [];
  url = '';

  constructor(private readonly options: StorageNodeOptions) {
    this.store = new SliverStore(options.dataDir);
    this.publicKey = blsPublicKey(options.blsSecretKey);
  }

  /** Binds the REST API; the node can be listed in a genesis once it has its URL. */
  async listen(port = this.options.port ?? 0): Promise<string> {
    await this.store.init();
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /**
   * Joins the network: from here on the node checks uploads against `chain` and follows
   * it, dropping the data of deleted and expired blobs. A node listens before it starts
   * because the chain's committee lists the URL it listens on.
   */
  async start(chain: ReadChain, operator?: LocalChain): Promise<void> {
    this.operator = operator ?? null;
    this.viewOrNull = new ChainView(chain, this.options.nodeId);
    if (!this.server) await this.listen();
    await this.sweep();
    // Like a Walrus node syncing from its last checkpoint: replay the chain's events to
    // learn which blobs are certified, then recover what was written while we were away.
    this.eventCursor = 0;
    await this.follow();
    this.scheduleRecovery([...this.certified]);
    this.scheduleFollow();
  }

  /** Resolves when the recoveries scheduled so far have finished. */
  recoveryIdle(): Promise<unknown> {
    return this.recoveryQueue;
  }

  private scheduleRecovery(blobIds: string[]): void {
    this.recoveryQueue = this.recoveryQueue.then(() => this.recover(blobIds));
  }

  /** Answers after pending recoveries: a sliver lost and recovered can still be proven. */
  private scheduleChallengeAnswer(c: Challenge): void {
    this.recoveryQueue = this.recoveryQueue.then(async () => {
      if (!this.operator || !this.server) return;
      try {
        if (!(await this.store.hasSliver(c.blobId, c.pairIndex, 'primary')))
          await this.recover([c.blobId]);
        const result = await this.operator.execute({
          kind: 'answer_challenge',
          ...(await proveChallenge(this.store, c)),
        });
        this.challengeLog.push({ challengeId: c.challengeId, passed: result.passed ?? false });
      } catch (error) {
        this.challengeLog.push({ challengeId: c.challengeId, error: (error as Error).message });
      }
    });
  }

  private async recover(blobIds: string[]): Promise<void> {
    for (const blobId of blobIds) {
      if (!this.server) return;
      try {
        if ((await this.view.liveObjects(blobId)).length === 0) continue;
        const { nShards } = await this.view.systemState();
        const pairs = await missingPairs(
          this.store,
          blobId,
          (await this.view.self())?.shards ?? [],
          nShards,
        );
        if (pairs.length === 0) continue;
        this.recoveryLog.push(
          await recoverBlob(this.view.chain, this.store, this.options.nodeId, blobId, pairs),
        );
      } catch (error) {
        this.recoveryLog.push({ blobId, error: (error as Error).message });
      }
    }
  }

  async stop(): Promise<void> {
    if (this.follower) clearTimeout(this.follower);
    this.follower = null;
    const server = this.server;
    this.server = null;
    // A recovery in flight finishes its current blob and stops (it checks `server`).
    await this.recoveryQueue;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private scheduleFollow(): void {
    this.follower = setTimeout(() => {
      void this.follow().finally(() => {
        if (this.follower) this.scheduleFollow();
      });
    }, this.options.pollIntervalMs ?? 1_000);
    this.follower.unref();
  }

  private async follow(): Promise<void> {
    // During the replay at start-up one recovery pass follows; no need to queue one per event.
    const starting = this.eventCursor === 0;
    try {
      for (;;) {
        const { events, nextCursor } = await this.view.chain.events(this.eventCursor, 200);
        for (const e of events) {
          const blobId = String(e.data.blobId);
          if (e.type === 'EpochChange' || e.type === 'ShardsMoved') {
            this.view.invalidate();
            // New shards, or a whole epoch of writes: make sure our share is complete.
            if (!starting) this.scheduleRecovery([...this.certified]);
          }
          if (e.type === 'ChallengeIssued' && e.data.nodeId === this.options.nodeId && !starting) {
            this.scheduleChallengeAnswer(e.data as unknown as Challenge);
          }
          if (e.type === 'BlobCertified') {
            this.certified.add(blobId);
            if (!starting) this.scheduleRecovery([blobId]);
          }
          if (e.type === 'BlobDeleted' || e.type === 'BlobExpired') {
            if ((await this.view.liveObjects(blobId)).length === 0) this.certified.delete(blobId);
            await this.dropIfDead(blobId);
          }
        }
        this.eventCursor = nextCursor;
        if (events.length < 200) return;
      }
    } catch {
      // The ledger may be restarting; the next round catches up from the same cursor.
    }
  }

  private async sweep(): Promise<void> {
    for (const blobId of await this.store.blobIds()) await this.dropIfDead(blobId);
  }

  private async dropIfDead(blobId: string): Promise<void> {
    // Another account may hold a live Blob object for the same bytes: keep them then.
    if ((await this.view.liveObjects(blobId)).length > 0) return;
    this.metadataCache.delete(blobId);
    await this.store.removeBlob(blobId);
  }

  private get view(): ChainView {
    if (!this.viewOrNull)
      throw new ApiError(
        503,
        'UNAVAILABLE',
        'NOT_STARTED',
        'the node has not joined the network yet',
      );
    return this.viewOrNull;
  }

  // ---- REST API --------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const p = url.pathname.split('/').filter(Boolean);
      const method = req.method ?? 'GET';
      if (p[0] !== 'v1') throw notFound('UNKNOWN_ROUTE', `no route ${url.pathname}`);
      if (method === 'GET' && p[1] === 'health' && p.length === 2)
        return json(res, await this.health());
      if (p[1] !== 'blobs' || !p[2]) throw notFound('UNKNOWN_ROUTE', `no route ${url.pathname}`);
      const blobId = parseBlobId(p[2]);
      const rest = p.slice(3).join('/');
      if (rest === 'metadata' && method === 'PUT')
        return json(res, await this.putMetadata(blobId, await readBody(req)));
      if (rest === 'metadata' && method === 'GET')
        return octets(res, await this.getMetadata(blobId));
      if (rest === 'metadata/status' && method === 'GET')
        return json(res, await this.metadataStatus(blobId));
      if (p[3] === 'slivers' && p.length === 6) {
        const pair = parsePair(p[4]!);
        const kind = parseKind(p[5]!);
        if (method === 'PUT')
          return json(res, await this.putSliver(blobId, pair, kind, await readBody(req)));
        if (method === 'GET') return octets(res, await this.getSliver(blobId, pair, kind));
      }
      if (rest === 'confirmation/permanent' && method === 'GET') {
        return json(res, await this.confirmation(blobId, { deletable: false }));
      }
      if (
        p[3] === 'confirmation' &&
        p[4] === 'deletable' &&
        p[5] &&
        p.length === 6 &&
        method === 'GET'
      ) {
        return json(res, await this.confirmation(blobId, { deletable: true, objectId: p[5] }));
      }
      if (rest === 'status' && method === 'GET') return json(res, await this.blobStatus(blobId));
      throw notFound('UNKNOWN_ROUTE', `no route ${method} ${url.pathname}`);
    } catch (error) {
      const e =
        error instanceof ApiError
          ? error
          : new ApiError(
              500,
              'INTERNAL',
              'INTERNAL_ERROR',
              `internal error: ${(error as Error).message}`,
            );
      const body = {
        error: {
          status: e.status,
          code: e.code,
          message: e.message,
          details: [{ '@type': 'ErrorInfo', reason: e.reason, domain: 'floe.localnet' }],
        },
      };
      sendJson(res, e.code, body);
    }
  }

  private async health() {
    const self = await this.view.self();
    const { epoch } = await this.view.systemState();
    return {
      nodeStatus: 'Active',
      epoch,
      nodeId: this.options.nodeId,
      publicKey: Buffer.from(this.publicKey).toString('base64'),
      shards: self?.shards ?? [],
    };
  }

  private async putMetadata(blobId: string, body: Uint8Array) {
    let metadata: BlobMetadata;
    try {
      metadata = decodeMetadata(body);
    } catch (error) {
      throw badRequest('INVALID_BCS', (error as MalformedBcsError).message);
    }
    if ((await this.view.liveObjects(blobId)).length === 0) {
      throw precondition(
        'NOT_REGISTERED',
        `blob ${blobId} is not registered (or has expired) on the chain`,
      );
    }
    const { nShards } = await this.view.systemState();
    if (metadata.hashes.length !== nShards) {
      throw badRequest(
        'INVALID_METADATA',
        `metadata lists ${metadata.hashes.length} sliver pairs, the network has ${nShards} shards`,
      );
    }
    if (blobIdToString(blobIdFromMetadata(metadata)) !== blobId) {
      throw badRequest('INVALID_METADATA', `the metadata does not hash to blob id ${blobId}`);
    }
    await this.store.putMetadata(blobId, encodeMetadataWithId(blobIdFromString(blobId), metadata));
    this.metadataCache.set(blobId, metadata);
    return 'metadata successfully stored';
  }

  private async getMetadata(blobId: string): Promise<Uint8Array> {
    const bytes = await this.store.getMetadata(blobId);
    if (!bytes)
      throw notFound('METADATA_NOT_FOUND', `this node holds no metadata for blob ${blobId}`);
    return bytes;
  }

  private async metadata(blobId: string): Promise<BlobMetadata> {
    const cached = this.metadataCache.get(blobId);
    if (cached) return cached;
    const bytes = await this.store.getMetadata(blobId);
    if (!bytes)
      throw precondition(
        'METADATA_NOT_STORED',
        `store the metadata of blob ${blobId} before its slivers`,
      );
    const { metadata } = decodeMetadataWithId(bytes);
    this.metadataCache.set(blobId, metadata);
    return metadata;
  }

  private async metadataStatus(blobId: string) {
    return (await this.store.getMetadata(blobId)) ? 'stored' : 'absent';
  }

  private async putSliver(blobId: string, pair: number, kind: SliverKind, body: Uint8Array) {
    const metadata = await this.metadata(blobId);
    const { nShards } = await this.view.systemState();
    if (pair >= nShards)
      throw badRequest(
        'INVALID_SLIVER_PAIR',
        `sliver pair ${pair} does not exist with ${nShards} shards`,
      );
    const shard = pairIndexToShard(pair, blobIdFromString(blobId), nShards);
    const self = await this.view.self();
    if (!self?.shards.includes(shard)) {
      throw new ApiError(
        421,
        'FAILED_PRECONDITION',
        'SHARD_NOT_ASSIGNED',
        `sliver pair ${pair} belongs to shard ${shard}, which this node does not hold`,
      );
    }
    try {
      verifySliver(metadata, pair, kind, body);
    } catch (error) {
      if (error instanceof InvalidSliverError) throw badRequest('INVALID_SLIVER', error.message);
      throw error;
    }
    await this.store.putSliver(blobId, pair, kind, body);
    return 'sliver stored successfully';
  }

  private async getSliver(blobId: string, pair: number, kind: SliverKind): Promise<Uint8Array> {
    const bytes = await this.store.getSliver(blobId, pair, kind);
    if (!bytes)
      throw notFound(
        'SLIVER_NOT_FOUND',
        `this node holds no ${kind} sliver of pair ${pair} of blob ${blobId}`,
      );
    return bytes;
  }

  private async confirmation(blobId: string, persistence: BlobPersistence) {
    const live = await this.view.liveObjects(blobId);
    const matches = persistence.deletable
      ? live.some((b) => b.deletable && b.objectId === persistence.objectId)
      : live.some((b) => !b.deletable);
    if (!matches) {
      throw precondition(
        'NOT_REGISTERED',
        `no live ${persistence.deletable ? 'deletable' : 'permanent'} registration of blob ${blobId}`,
      );
    }
    const { epoch, nShards } = await this.view.systemState();
    const self = await this.view.self();
    const id = blobIdFromString(blobId);
    for (const shard of self?.shards ?? []) {
      const pair = shardToPairIndex(shard, id, nShards);
      for (const kind of ['primary', 'secondary'] as const) {
        if (!(await this.store.hasSliver(blobId, pair, kind))) {
          throw precondition(
            'NOT_FULLY_STORED',
            `the ${kind} sliver of pair ${pair} (shard ${shard}) is not stored yet`,
          );
        }
      }
    }
    const message = confirmationMessage(epoch, id, persistence);
    return {
      signed: {
        serializedMessage: Buffer.from(message).toString('base64'),
        signature: Buffer.from(blsSign(this.options.blsSecretKey, message)).toString('base64'),
      },
    };
  }

  private async blobStatus(blobId: string) {
    const objects = await this.view.chain.blobsById(blobId);
    const { epoch } = await this.view.systemState();
    const live = objects.filter(
      (b) => (b.state === 'registered' || b.state === 'certified') && b.endEpoch > epoch,
    );
    if (live.length === 0) return 'nonexistent';
    const permanent = live.filter((b) => !b.deletable);
    const deletable = live.filter((b) => b.deletable);
    const certifiedEpochs = live
      .map((b) => b.certifiedEpoch)
      .filter((e): e is number => e !== null);
    const deletableCounts = {
      count_deletable_total: deletable.length,
      count_deletable_certified: deletable.filter((b) => b.certifiedEpoch !== null).length,
    };
    const initialCertifiedEpoch = certifiedEpochs.length ? Math.min(...certifiedEpochs) : null;
    if (permanent.length === 0) return { deletable: { deletableCounts, initialCertifiedEpoch } };
    return {
      permanent: {
        endEpoch: Math.max(...permanent.map((b) => b.endEpoch)),
        isCertified: permanent.some((b) => b.certifiedEpoch !== null),
        deletableCounts,
        initialCertifiedEpoch,
      },
    };
  }
}

function parseBlobId(text: string): string {
  try {
    blobIdFromString(text);
    return text;
  } catch (error) {
    throw badRequest('INVALID_BLOB_ID', (error as Error).message);
  }
}

function parsePair(text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n > 0xffff)
    throw badRequest('INVALID_SLIVER_PAIR', `"${text}" is not a sliver pair index`);
  return n;
}

function parseKind(text: string): SliverKind {
  if (text !== 'primary' && text !== 'secondary')
    throw badRequest(
      'INVALID_SLIVER_TYPE',
      `sliver type must be primary or secondary, not "${text}"`,
    );
  return text;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(
        413,
        'INVALID_ARGUMENT',
        'BODY_TOO_LARGE',
        `bodies are limited to ${MAX_BODY_BYTES} bytes`,
      );
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function json(res: ServerResponse, data: unknown): void {
  sendJson(res, 200, { success: { code: 200, data } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function octets(res: ServerResponse, bytes: Uint8Array): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': bytes.length,
  });
  res.end(bytes);
}
