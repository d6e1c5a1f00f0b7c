/**
 * What a storage node answers, handler by handler, in the order walrus-service checks
 * things (`node.rs`: `store_metadata`, `store_sliver`, `retrieve_sliver`,
 * `compute_storage_confirmation`, …), so that the same request meets the same refusal
 * here as on a Walrus node. HTTP is the server's business; this module speaks in
 * results and `NodeApiError`s.
 */
import {
  blobIdFromMetadata,
  blobIdFromString,
  blobIdToString,
  decodeMetadata,
  decodeMetadataWithId,
  decodeSliver,
  encodeMetadataWithId,
  encodedSliverLength,
  EncodingConfig,
  InvalidSliverError,
  RS2_ENCODING_TYPE,
  verifyDecodedSliver,
  type BlobMetadata,
  type Sliver,
  type SliverKind,
} from '../../walrus/encoding/index.js';
import { blsSign } from '../../walrus/protocol/bls.js';
import { confirmationMessage, type BlobPersistence } from '../../walrus/protocol/confirmation.js';
import { pairIndexToShard, shardToPairIndex } from '../../walrus/shards.js';
import {
  cacheSaturated,
  indexOutOfRange,
  invalidMetadata,
  invalidSliver,
  metadataMissing,
  metadataUnavailable,
  missingSlivers,
  notBcs,
  notRegistered,
  shardNotAssigned,
  sliverIndexMismatch,
  sliverUnavailable,
  unsupportedEncoding,
} from './api-errors.js';
import type { ChainView } from './chain-view.js';
import { PendingUploads, PendingUploadsFullError } from './pending-uploads.js';
import { CorruptSliverError, type SliverStore } from './sliver-store.js';

/** What a store answers: 201 stored now, 200 held already, 202 buffered until registration. */
export type StoreOutcome = 'stored' | 'already' | 'buffered';

export type StoredOnNodeStatus = 'nonexistent' | 'buffered' | 'stored';

/** Longest a confirmation waits for a registration (Walrus's default maximum, 5 s). */
export const MAX_CONFIRMATION_WAIT_MS = 5_000;
/** Metadata decoded per blob, kept for the sliver checks that follow it. */
const METADATA_CACHE_SIZE = 1024;

export interface NodeApiDeps {
  store: SliverStore;
  view: () => ChainView;
  pending: PendingUploads;
  blsSecretKey: Uint8Array;
  /** A sliver on disk failed its checksum: the node should recover it. */
  onCorrupt: (blobId: string) => void;
}

export class NodeApi {
  private readonly metadataCache = new Map<string, BlobMetadata>();
  private readonly flushing = new Map<string, Promise<void>>();

  constructor(private readonly d: NodeApiDeps) {}

  private get view(): ChainView {
    return this.d.view();
  }

  // ---- metadata --------------------------------------------------------------

  async putMetadata(blobId: string, body: Uint8Array, pending: boolean): Promise<StoreOutcome> {
    let metadata: BlobMetadata;
    try {
      metadata = decodeMetadata(body);
    } catch {
      throw notBcs();
    }
    if (await this.d.store.hasMetadata(blobId)) return 'already';
    if (this.d.pending.metadata(blobId)) return 'already';
    if (metadata.encodingType !== RS2_ENCODING_TYPE) throw unsupportedEncoding('RedStuff');
    const { nShards } = await this.view.systemState();
    if (metadata.hashes.length !== nShards)
      throw invalidMetadata(
        `the number of sliver hashes (${metadata.hashes.length}) does not match the number of shards (${nShards})`,
      );
    if (blobIdToString(blobIdFromMetadata(metadata)) !== blobId)
      throw invalidMetadata('the blob ID does not match the metadata');
    if (await this.view.isRegistered(blobId)) {
      await this.persistMetadata(blobId, metadata);
      return 'stored';
    }
    if (!pending) throw notRegistered();
    if (!this.d.pending.putMetadata(blobId, metadata)) return 'already';
    // The registration may have landed while this was checked.
    if (await this.view.isRegistered(blobId)) await this.flushPending(blobId);
    return 'buffered';
  }

  async getMetadata(blobId: string): Promise<Uint8Array> {
    if (!(await this.view.isRegistered(blobId))) throw metadataUnavailable();
    const bytes = await this.d.store.getMetadata(blobId);
    if (!bytes) throw metadataUnavailable();
    return bytes;
  }

  async metadataStatus(blobId: string): Promise<StoredOnNodeStatus> {
    // Walrus reports what it persisted: buffered metadata is still "nonexistent".
    return (await this.d.store.hasMetadata(blobId)) ? 'stored' : 'nonexistent';
  }

  private async persistMetadata(blobId: string, metadata: BlobMetadata): Promise<void> {
    if (await this.d.store.hasMetadata(blobId)) return;
    await this.d.store.putMetadata(
      blobId,
      encodeMetadataWithId(blobIdFromString(blobId), metadata),
    );
    this.remember(blobId, metadata);
  }

  /** The blob's stored metadata, or null. */
  async storedMetadata(blobId: string): Promise<BlobMetadata | null> {
    const cached = this.metadataCache.get(blobId);
    if (cached) return cached;
    const bytes = await this.d.store.getMetadata(blobId);
    if (!bytes) return null;
    const { metadata } = decodeMetadataWithId(bytes);
    this.remember(blobId, metadata);
    return metadata;
  }

  forget(blobId: string): void {
    this.metadataCache.delete(blobId);
  }

  private remember(blobId: string, metadata: BlobMetadata): void {
    if (this.metadataCache.size >= METADATA_CACHE_SIZE) {
      const oldest = this.metadataCache.keys().next().value;
      if (oldest !== undefined) this.metadataCache.delete(oldest);
    }
    this.metadataCache.set(blobId, metadata);
  }

  // ---- slivers ---------------------------------------------------------------

  /** Bytes of the largest sliver of `kind` for the blob, when its metadata is known. */
  async expectedSliverBytes(blobId: string): Promise<number | null> {
    const metadata = (await this.storedMetadata(blobId)) ?? this.d.pending.metadata(blobId);
    return metadata ? sliverBytesBound(metadata) : null;
  }

  async putSliver(
    blobId: string,
    pair: number,
    kind: SliverKind,
    body: Uint8Array,
    pending: boolean,
  ): Promise<StoreOutcome> {
    let sliver: Sliver;
    try {
      sliver = decodeSliver(body);
    } catch {
      throw notBcs();
    }
    const { nShards, epoch } = await this.view.systemState();
    if (pair >= nShards) throw indexOutOfRange(pair, nShards);
    const expectedPair = kind === 'primary' ? sliver.index : nShards - 1 - sliver.index;
    if (expectedPair !== pair) throw sliverIndexMismatch(pair, sliver.index);

    const persisted = await this.storedMetadata(blobId);
    const metadata = persisted ?? this.d.pending.metadata(blobId);
    if (!metadata) {
      if (pending || (await this.view.isRegistered(blobId))) throw metadataMissing();
      throw notRegistered();
    }
    const shard = pairIndexToShard(pair, blobIdFromString(blobId), nShards);
    if (!(await this.holds(shard))) throw shardNotAssigned(shard, epoch);
    // Held already: 200 without verifying again what was verified when it was stored.
    if (persisted && (await this.d.store.hasSliver(blobId, pair, kind))) return 'already';
    try {
      verifyDecodedSliver(metadata, pair, kind, sliver);
    } catch (error) {
      if (error instanceof InvalidSliverError) throw invalidSliver(error.reason);
      throw error;
    }
    if (persisted) {
      await this.d.store.putSliver(blobId, pair, kind, body);
      return 'stored';
    }
    let inserted: boolean;
    try {
      inserted = this.d.pending.putSliver(blobId, pair, kind, body);
    } catch (error) {
      if (error instanceof PendingUploadsFullError) throw cacheSaturated();
      throw error;
    }
    if (await this.view.isRegistered(blobId)) await this.flushPending(blobId);
    if (!inserted) return 'already';
    return pending ? 'buffered' : 'stored';
  }

  async getSliver(blobId: string, pair: number, kind: SliverKind): Promise<Uint8Array> {
    const { nShards, epoch } = await this.view.systemState();
    if (pair >= nShards) throw indexOutOfRange(pair, nShards);
    if (!(await this.view.isRegistered(blobId))) throw sliverUnavailable();
    const shard = pairIndexToShard(pair, blobIdFromString(blobId), nShards);
    if (!(await this.view.servesShard(shard))) throw shardNotAssigned(shard, epoch);
    const bytes = await this.readOwnSliver(blobId, pair, kind);
    if (!bytes) throw sliverUnavailable();
    return bytes;
  }

  /**
   * One of this node's slivers as stored, or null when absent or damaged — a damaged one
   * is never served: the node removes it, recovers it, and meanwhile answers as if it
   * lacked it.
   */
  async readOwnSliver(blobId: string, pair: number, kind: SliverKind): Promise<Uint8Array | null> {
    try {
      return await this.d.store.getSliver(blobId, pair, kind);
    } catch (error) {
      if (!(error instanceof CorruptSliverError)) throw error;
      // Gone rather than kept: the recovery fetches what is missing.
      await this.d.store.removeSliver(blobId, pair, kind);
      this.d.onCorrupt(blobId);
      return null;
    }
  }

  async sliverStatus(blobId: string, pair: number, kind: SliverKind): Promise<StoredOnNodeStatus> {
    const { nShards, epoch } = await this.view.systemState();
    if (pair >= nShards) throw indexOutOfRange(pair, nShards);
    const shard = pairIndexToShard(pair, blobIdFromString(blobId), nShards);
    if (!(await this.holds(shard))) throw shardNotAssigned(shard, epoch);
    if (await this.d.store.hasSliver(blobId, pair, kind)) return 'stored';
    return this.d.pending.hasSliver(blobId, pair, kind) ? 'buffered' : 'nonexistent';
  }

  private async holds(shard: number): Promise<boolean> {
    return (await this.view.self())?.shards.includes(shard) ?? false;
  }

  /**
   * Moves what was buffered for a blob that is now registered to disk. A flush under way
   * is joined, so no caller sees the buffer emptied before its slivers are on disk.
   */
  flushPending(blobId: string): Promise<void> {
    let flush = this.flushing.get(blobId);
    if (!flush) {
      flush = this.flushOnce(blobId).finally(() => this.flushing.delete(blobId));
      this.flushing.set(blobId, flush);
    }
    return flush;
  }

  private async flushOnce(blobId: string): Promise<void> {
    const held = this.d.pending.take(blobId);
    if (!held) return;
    if (held.metadata) await this.persistMetadata(blobId, held.metadata);
    if (!(await this.d.store.hasMetadata(blobId))) return;
    // Each sliver was verified against the metadata when it was buffered.
    for (const s of held.slivers)
      if (!(await this.d.store.hasSliver(blobId, s.pair, s.kind)))
        await this.d.store.putSliver(blobId, s.pair, s.kind, s.bytes);
  }

  hasPending(blobId: string): boolean {
    return this.d.pending.has(blobId);
  }

  // ---- confirmations ---------------------------------------------------------

  async confirmation(blobId: string, persistence: BlobPersistence) {
    const live = await this.view.liveObjects(blobId);
    if (live.length === 0) throw notRegistered();
    await this.flushPending(blobId);
    const { epoch, nShards } = await this.view.systemState();
    const id = blobIdFromString(blobId);
    for (const shard of (await this.view.self())?.shards ?? []) {
      const pair = shardToPairIndex(shard, id, nShards);
      for (const kind of ['primary', 'secondary'] as const)
        if (!(await this.d.store.hasSliver(blobId, pair, kind))) throw missingSlivers();
    }
    // A permanent confirmation needs only a registration; a deletable one, that object's.
    if (persistence.deletable && !live.some((b) => b.objectId === persistence.objectId))
      throw notRegistered();
    const message = confirmationMessage(epoch, id, persistence);
    return {
      signed: {
        serializedMessage: Buffer.from(message).toString('base64'),
        signature: Buffer.from(blsSign(this.d.blsSecretKey, message)).toString('base64'),
      },
    };
  }
}

/** The BCS length of the blob's longer sliver (a primary one), the most a sliver PUT may carry. */
export function sliverBytesBound(metadata: BlobMetadata): number {
  const config = new EncodingConfig(metadata.hashes.length);
  return encodedSliverLength(config.primarySliverSize(metadata.unencodedLength));
}
