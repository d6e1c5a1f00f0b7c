/**
 * Storing a blob: encode in the worker pool → register on chain (buys storage) → send
 * metadata and each node's slivers to every node at once → collect signed confirmations
 * from nodes holding at least 2f + 1 shards → certify with their aggregate signature.
 */
import type { Chain, CommitteeMember } from '../chain/chain.js';
import {
  blobIdToString,
  encodeMetadata,
  EncodingConfig,
  RS2_ENCODING_TYPE,
  type CodecPool,
} from '../encoding/index.js';
import { blsAggregateSignatures, blsVerify } from '../protocol/bls.js';
import { confirmationMessage, type BlobPersistence } from '../protocol/confirmation.js';
import { shardToPairIndex } from '../shards.js';
import {
  NodeRejectedError,
  NodeUnavailableError,
  StorageNodeClient,
} from '../storage-node-client.js';
import { NotEnoughConfirmationsError } from './errors.js';
import { ConcurrencyLimiter } from './limiter.js';
import type { ByteRateLimiter } from './rate-limiter.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface StoreOptions {
  epochs: number;
  deletable: boolean;
  attributes?: Record<string, string>;
  onProgress?: (p: StoreProgress) => void;
  /**
   * Called with the blob id once it is known and before anything is bought on chain, so
   * a caller can journal it and find the blob again after a crash.
   */
  onEncoded?: (blobId: string) => void;
  signal?: AbortSignal;
}

export interface StoreProgress {
  phase: 'encoding' | 'registering' | 'uploading' | 'certifying' | 'done';
  bytesSent: number;
  bytesTotal: number;
  nodesConfirmed: number;
  nodesTotal: number;
  shardsConfirmed: number;
  quorum: number;
}

export interface StoredBlob {
  blobId: string;
  objectId: string;
  size: number;
  endEpoch: number;
  /** WAL spent, in FROST. */
  cost: bigint;
  /** HTTP requests sent to storage nodes. */
  requests: number;
  /** Nodes that did not confirm (down or refusing); they recover the slivers later. */
  failedNodes: string[];
}

export interface StoreContext {
  chain: Chain;
  pool: CodecPool;
  limiter: ConcurrencyLimiter;
  retry: RetryPolicy;
  nodeClient: (url: string) => StorageNodeClient;
  /** The upload bandwidth limit, if the user set one. */
  uploadRate?: ByteRateLimiter;
}

/** Epoch changes a store rides through before giving up (epochs last minutes to weeks). */
const MAX_EPOCH_RETRIES = 2;

interface Confirmed {
  member: CommitteeMember;
  signature: Uint8Array;
}

/** Stores `data`; its buffer is handed to a worker thread and is unusable afterwards. */
export async function storeBlob(
  ctx: StoreContext,
  data: Uint8Array,
  o: StoreOptions,
): Promise<StoredBlob> {
  const state = await ctx.chain.systemState();
  const config = new EncodingConfig(state.nShards);
  const size = data.length;
  let requests = 0;
  const progress: StoreProgress = {
    phase: 'encoding',
    bytesSent: 0,
    bytesTotal: 0,
    nodesConfirmed: 0,
    nodesTotal: state.committee.length,
    shardsConfirmed: 0,
    quorum: config.quorum,
  };
  const report = () => o.onProgress?.({ ...progress });
  report();

  const encoded = await ctx.pool.encode(state.nShards, data);
  const blobId = blobIdToString(encoded.blobId);
  const metadata = encodeMetadata(encoded.metadata);
  o.onEncoded?.(blobId);
  progress.bytesTotal =
    state.committee.length * metadata.length +
    state.committee.reduce((sum, m) => sum + m.shards.length, 0) *
      (encoded.primary[0]!.length + encoded.secondary[0]!.length);
  progress.phase = 'registering';
  report();

  const registered = await ctx.chain.registerBlob({
    blobId,
    rootHash: encoded.rootHash,
    size,
    encodingType: RS2_ENCODING_TYPE,
    epochs: o.epochs,
    deletable: o.deletable,
    ...(o.attributes ? { attributes: o.attributes } : {}),
  });
  const objectId = registered.blob.objectId;
  const persistence: BlobPersistence = o.deletable
    ? { deletable: true, objectId }
    : { deletable: false };

  const call = <T>(fn: () => Promise<T>) =>
    ctx.limiter.run(() =>
      withRetry(
        () => {
          requests++;
          return fn();
        },
        // A node that has not yet seen the registration (real nodes follow the chain a few
        // seconds behind) is asked again, like one that is briefly unreachable.
        (e) =>
          e instanceof NodeUnavailableError ||
          (e instanceof NodeRejectedError && e.reason === 'NOT_REGISTERED'),
        ctx.retry,
        o.signal,
      ),
    );

  // Confirmations are signed for the current epoch and the committee can change with it:
  // if the epoch turns while uploading or certifying, upload to the new committee (nodes
  // that already hold their slivers answer at once) and certify again.
  let committeeState = state;
  let certified: { blob: { endEpoch: number } } | null = null;
  const failures: string[] = [];
  for (let attempt = 0; !certified; attempt++) {
    if (attempt > 0) committeeState = await ctx.chain.systemState();
    const expected = confirmationMessage(committeeState.epoch, encoded.blobId, persistence);
    progress.phase = 'uploading';
    progress.bytesSent = 0;
    progress.nodesConfirmed = 0;
    progress.shardsConfirmed = 0;
    progress.nodesTotal = committeeState.committee.length;
    report();
    failures.length = 0;
    const confirmed: Confirmed[] = [];
    await Promise.all(
      committeeState.committee.map(async (member) => {
        const node = ctx.nodeClient(member.url);
        const opts = o.signal ? { signal: o.signal } : {};
        try {
          await ctx.uploadRate?.take(metadata.length);
          await call(() => node.putMetadata(blobId, metadata, opts));
          progress.bytesSent += metadata.length;
          await Promise.all(
            member.shards.flatMap((shard) => {
              const pair = shardToPairIndex(shard, encoded.blobId, state.nShards);
              return (['primary', 'secondary'] as const).map(async (kind) => {
                const sliver = (kind === 'primary' ? encoded.primary : encoded.secondary)[pair]!;
                await ctx.uploadRate?.take(sliver.length);
                await call(() => node.putSliver(blobId, pair, kind, sliver, opts));
                progress.bytesSent += sliver.length;
                report();
              });
            }),
          );
          const c = await call(() =>
            node.getConfirmation(blobId, o.deletable ? objectId : null, opts),
          );
          if (!sameBytes(c.serializedMessage, expected))
            throw new Error('it confirmed a different message');
          if (
            !blsVerify(
              new Uint8Array(Buffer.from(member.blsPublicKey, 'hex')),
              expected,
              c.signature,
            )
          ) {
            throw new Error('its confirmation signature does not verify');
          }
          confirmed.push({ member, signature: c.signature });
          progress.nodesConfirmed++;
          progress.shardsConfirmed += member.shards.length;
          report();
        } catch (error) {
          if (o.signal?.aborted) throw error;
          failures.push(`${member.name}: ${(error as Error).message}`);
        }
      }),
    );

    const epochMoved = async () =>
      attempt < MAX_EPOCH_RETRIES && (await ctx.chain.systemState()).epoch !== committeeState.epoch;
    if (progress.shardsConfirmed < config.quorum) {
      if (await epochMoved()) continue;
      throw new NotEnoughConfirmationsError(
        blobId,
        progress.shardsConfirmed,
        config.quorum,
        failures,
      );
    }
    progress.phase = 'certifying';
    report();
    try {
      certified = await ctx.chain.certifyBlob(objectId, {
        signature: blsAggregateSignatures(confirmed.map((c) => c.signature)),
        signers: confirmed.map((c) => c.member.index).sort((a, b) => a - b),
        message: expected,
      });
    } catch (error) {
      if (!(await epochMoved())) throw error;
    }
  }
  progress.phase = 'done';
  report();
  return {
    blobId,
    objectId,
    size,
    endEpoch: certified.blob.endEpoch,
    cost: BigInt(registered.cost),
    requests,
    failedNodes: failures,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
