/**
 * Uploads that arrive before the blob is registered (`?pending=true`), held in memory
 * until the registration is seen, as walrus-service's pending metadata and sliver caches
 * do: already verified, bounded in bytes and per sliver, and forgotten after a while if
 * the registration never comes.
 */
import type { BlobMetadata, SliverKind } from '../../walrus/encoding/index.js';

export interface PendingLimits {
  /** Bytes of slivers held for all blobs together. */
  maxBytes: number;
  /** The largest sliver held. */
  maxSliverBytes: number;
  /** How long an entry waits for its registration. */
  ttlMs: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxSliverBytes: 4 * 1024 * 1024,
  ttlMs: 60_000,
};

interface PendingBlob {
  metadata: BlobMetadata | null;
  slivers: Map<string, { pair: number; kind: SliverKind; bytes: Uint8Array }>;
  since: number;
}

export class PendingUploadsFullError extends Error {
  constructor() {
    super('the pending upload cache is full');
    this.name = 'PendingUploadsFullError';
  }
}

const key = (pair: number, kind: SliverKind) => `${pair}.${kind}`;

export class PendingUploads {
  private readonly blobs = new Map<string, PendingBlob>();
  private bytes = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  metadata(blobId: string): BlobMetadata | null {
    return this.live(blobId)?.metadata ?? null;
  }

  has(blobId: string): boolean {
    return this.live(blobId) !== null;
  }

  hasSliver(blobId: string, pair: number, kind: SliverKind): boolean {
    return this.live(blobId)?.slivers.has(key(pair, kind)) ?? false;
  }

  /** False when the metadata was already held. */
  putMetadata(blobId: string, metadata: BlobMetadata): boolean {
    const entry = this.entry(blobId);
    if (entry.metadata) return false;
    entry.metadata = metadata;
    return true;
  }

  /** False when the sliver was already held; throws when there is no room for it. */
  putSliver(blobId: string, pair: number, kind: SliverKind, bytes: Uint8Array): boolean {
    const entry = this.entry(blobId);
    if (entry.slivers.has(key(pair, kind))) return false;
    this.expire();
    if (
      bytes.length > this.limits.maxSliverBytes ||
      this.bytes + bytes.length > this.limits.maxBytes
    )
      throw new PendingUploadsFullError();
    entry.slivers.set(key(pair, kind), { pair, kind, bytes });
    this.bytes += bytes.length;
    return true;
  }

  /** Everything held for the blob, removed from the cache. */
  take(blobId: string): {
    metadata: BlobMetadata | null;
    slivers: { pair: number; kind: SliverKind; bytes: Uint8Array }[];
  } | null {
    const entry = this.live(blobId);
    if (!entry) return null;
    this.drop(blobId, entry);
    return { metadata: entry.metadata, slivers: [...entry.slivers.values()] };
  }

  private entry(blobId: string): PendingBlob {
    let entry = this.live(blobId);
    if (!entry)
      this.blobs.set(blobId, (entry = { metadata: null, slivers: new Map(), since: Date.now() }));
    return entry;
  }

  private live(blobId: string): PendingBlob | null {
    const entry = this.blobs.get(blobId);
    if (!entry) return null;
    if (Date.now() - entry.since <= this.limits.ttlMs) return entry;
    this.drop(blobId, entry);
    return null;
  }

  private expire(): void {
    for (const blobId of [...this.blobs.keys()]) this.live(blobId);
  }

  private drop(blobId: string, entry: PendingBlob): void {
    for (const s of entry.slivers.values()) this.bytes -= s.bytes.length;
    this.blobs.delete(blobId);
  }
}
