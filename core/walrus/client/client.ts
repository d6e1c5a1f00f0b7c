/**
 * `WalrusClient`: Floe's one way to store, read and manage blobs, against the localnet
 * or the real network alike — only the `Chain` differs.
 */
import type { BlobObject, Chain } from '../chain/chain.js';
import type { CodecPool } from '../encoding/index.js';
import { nodeClients, type NodeBlobStatus } from '../storage-node-client.js';
import { ConcurrencyLimiter } from './limiter.js';
import { ByteRateLimiter } from './rate-limiter.js';
import { readAndOpen, readBlob, type ReadOptions } from './read.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { UploadRelayClient } from '../relay/relay-client.js';
import type { TipConfig } from '../relay/tip.js';
import { storeBlob, type RelayRoute, type StoredBlob, type StoreOptions } from './store.js';

export interface WalrusClientOptions {
  chain: Chain;
  pool: CodecPool;
  /** Requests in flight to all storage nodes together. */
  maxConcurrentRequests?: number;
  retry?: RetryPolicy;
  /** Upload bandwidth limit in bytes per second (unset: as fast as the uplink goes). */
  uploadBytesPerSecond?: number;
  /** Store through this upload relay, tipping it at most `maxTipMist` per blob. */
  uploadRelay?: { url: string; maxTipMist: bigint | null };
}

/** How long a relay's tip configuration is trusted before it is asked again. */
const TIP_CONFIG_TTL_MS = 10 * 60_000;

export class WalrusClient {
  readonly chain: Chain;
  private readonly pool: CodecPool;
  private readonly limiter: ConcurrencyLimiter;
  private uploadRate: ByteRateLimiter | undefined;
  private readonly retry: RetryPolicy;
  private readonly nodeClient = nodeClients();
  private relay: RelayRoute | undefined;

  constructor(o: WalrusClientOptions) {
    this.chain = o.chain;
    this.pool = o.pool;
    this.limiter = new ConcurrencyLimiter(o.maxConcurrentRequests ?? 64);
    this.uploadRate = o.uploadBytesPerSecond
      ? new ByteRateLimiter(o.uploadBytesPerSecond)
      : undefined;
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.relay = o.uploadRelay ? relayRoute(o.uploadRelay) : undefined;
  }

  /**
   * New upload limit and relay (the user changed a setting): the next store uses them;
   * one already uploading finishes as it began.
   */
  setUploadOptions(o: Pick<WalrusClientOptions, 'uploadBytesPerSecond' | 'uploadRelay'>): void {
    this.uploadRate = o.uploadBytesPerSecond
      ? new ByteRateLimiter(o.uploadBytesPerSecond)
      : undefined;
    this.relay = o.uploadRelay ? relayRoute(o.uploadRelay) : undefined;
  }

  /** The upload relay stores go through, if one is configured. */
  get uploadRelay(): RelayRoute | undefined {
    return this.relay;
  }

  store(data: Uint8Array, o: StoreOptions): Promise<StoredBlob> {
    return storeBlob(this.context(), data, o);
  }

  read(blobId: string, o: ReadOptions = {}): Promise<Uint8Array> {
    return readBlob(this.context(), blobId, o);
  }

  /** Reads a blob that `open` authenticates, and opens it (see `readAndOpen`). */
  readAndOpen<T>(
    blobId: string,
    open: (parts: Uint8Array[]) => T,
    o: ReadOptions = {},
  ): Promise<T> {
    return readAndOpen(this.context(), blobId, open, o);
  }

  async extend(objectId: string, epochs: number): Promise<BlobObject> {
    return (await this.chain.extendBlob(objectId, epochs)).blob;
  }

  async delete(objectId: string): Promise<void> {
    await this.chain.deleteBlob(objectId);
  }

  /** The chain's record of the blob object, and what one node says of the blob. */
  async status(
    objectId: string,
  ): Promise<{ blob: BlobObject | null; node: NodeBlobStatus | null }> {
    const blob = await this.chain.getBlob(objectId);
    if (!blob) return { blob: null, node: null };
    const { committee } = await this.chain.systemState();
    const node = committee[0]
      ? await this.nodeClient(committee[0].url)
          .getBlobStatus(blob.blobId)
          .catch(() => null)
      : null;
    return { blob, node };
  }

  /** Every Blob object the account owns, following the chain's pages. */
  async listOwned(): Promise<BlobObject[]> {
    const all: BlobObject[] = [];
    let cursor: string | null = null;
    do {
      const page: { blobs: BlobObject[]; nextCursor: string | null } =
        await this.chain.listOwnedBlobs(this.chain.address, cursor, 200);
      all.push(...page.blobs);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  private context() {
    return {
      chain: this.chain,
      pool: this.pool,
      limiter: this.limiter,
      ...(this.uploadRate ? { uploadRate: this.uploadRate } : {}),
      retry: this.retry,
      nodeClient: this.nodeClient,
      ...(this.relay ? { relay: this.relay } : {}),
    };
  }
}

function relayRoute(o: { url: string; maxTipMist: bigint | null }): RelayRoute {
  const client = new UploadRelayClient(o.url);
  let cached: { at: number; config: Promise<TipConfig> } | null = null;
  return {
    client,
    maxTip: o.maxTipMist,
    tipConfig() {
      if (!cached || Date.now() - cached.at > TIP_CONFIG_TTL_MS) {
        const config = client.tipConfig();
        cached = { at: Date.now(), config };
        // A failed lookup is not cached: the next store asks again.
        config.catch(() => (cached = null));
      }
      return cached.config;
    },
    forgetTipConfig() {
      cached = null;
    },
  };
}
