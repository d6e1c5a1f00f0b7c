/**
 * Sending an encoded blob to the committee: metadata and each node's slivers to every
 * node at once, then each node's signed confirmation, checked against the message the
 * chain will verify. A store does this itself, or an upload relay does it on the
 * store's behalf — the same code either way.
 */
import type { Certificate, CommitteeMember, SystemState } from '../chain/chain.js';
import { equalBytes, type EncodedBlob } from '../encoding/index.js';
import { blsAggregateSignatures, blsVerify, blsVerifyAggregate } from '../protocol/bls.js';
import { isQuorum } from '../protocol/quorum.js';
import { shardToPairIndex } from '../shards.js';
import {
  NodeRejectedError,
  NodeUnavailableError,
  type StorageNodeClient,
} from '../storage-node-client.js';
import type { ConcurrencyLimiter } from './limiter.js';
import type { ByteRateLimiter } from './rate-limiter.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface FanOutContext {
  limiter: ConcurrencyLimiter;
  retry: RetryPolicy;
  nodeClient: (url: string) => StorageNodeClient;
  uploadRate?: ByteRateLimiter;
}

export interface FanOutProgress {
  bytesSent: number;
  nodesConfirmed: number;
  shardsConfirmed: number;
}

export interface FanOut {
  /** The committee (and epoch) the confirmations are for. */
  state: SystemState;
  encoded: EncodedBlob;
  blobId: string;
  metadata: Uint8Array;
  /** The Blob object when the blob is deletable: nodes name it in what they sign. */
  deletableObjectId: string | null;
  /** The confirmation message every node must have signed. */
  expected: Uint8Array;
  onProgress?: (p: FanOutProgress) => void;
  signal?: AbortSignal;
}

export interface FanOutResult {
  /** Null when the nodes that confirmed hold fewer than a quorum of shards. */
  certificate: Certificate | null;
  shardsConfirmed: number;
  /** Nodes that did not confirm (down or refusing); they recover the slivers later. */
  failures: string[];
  /** HTTP requests sent to storage nodes. */
  requests: number;
}

/** Bytes a fan-out sends to the committee of `state`. */
export function fanOutBytes(state: SystemState, encoded: EncodedBlob, metadata: Uint8Array) {
  const pairBytes = encoded.primary[0]!.length + encoded.secondary[0]!.length;
  return (
    state.committee.length * metadata.length +
    state.committee.reduce((sum, m) => sum + m.shards.length, 0) * pairBytes
  );
}

export async function fanOut(ctx: FanOutContext, f: FanOut): Promise<FanOutResult> {
  const { state, encoded, blobId, metadata, expected, signal } = f;
  const progress: FanOutProgress = { bytesSent: 0, nodesConfirmed: 0, shardsConfirmed: 0 };
  const report = () => f.onProgress?.({ ...progress });
  let requests = 0;
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
        signal,
      ),
    );
  const failures: string[] = [];
  const confirmed: Confirmation[] = [];
  await Promise.all(
    state.committee.map(async (member) => {
      const node = ctx.nodeClient(member.url);
      const opts = signal ? { signal } : {};
      try {
        await ctx.uploadRate?.take(metadata.length);
        await call(() => node.putMetadata(blobId, metadata, opts));
        progress.bytesSent += metadata.length;
        // Settled, not merely failed fast: when fanOut returns, no request still reads a
        // sliver, so the caller may reuse their buffers.
        const sent = await Promise.allSettled(
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
        const failed = sent.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        const c = await call(() => node.getConfirmation(blobId, f.deletableObjectId, opts));
        if (!equalBytes(c.serializedMessage, expected))
          throw new Error('it confirmed a different message');
        confirmed.push({ member, signature: c.signature });
        progress.nodesConfirmed++;
        progress.shardsConfirmed += member.shards.length;
        report();
      } catch (error) {
        if (signal?.aborted) throw error;
        failures.push(`${member.name}: ${(error as Error).message}`);
      }
    }),
  );
  const { valid, aggregate } = withValidSignatures(confirmed, expected, failures);
  const shardsConfirmed = valid.reduce((sum, c) => sum + c.member.shards.length, 0);
  const enough = isQuorum(shardsConfirmed, state.nShards);
  valid.sort((a, b) => a.member.index - b.member.index);
  return {
    certificate: enough
      ? {
          signature: aggregate ?? blsAggregateSignatures(valid.map((c) => c.signature)),
          signers: valid.map((c) => c.member.index),
          message: expected,
        }
      : null,
    shardsConfirmed,
    failures,
    requests,
  };
}

interface Confirmation {
  member: CommitteeMember;
  signature: Uint8Array;
}

/**
 * The confirmations whose signatures verify. One pairing check of the aggregate (what the
 * contract will do) settles the usual case where every node signed honestly, and that
 * aggregate is the certificate's (point addition does not depend on the order); only when
 * it fails is each signature checked on its own, and the bad ones named in `failures`.
 */
function withValidSignatures(
  confirmed: Confirmation[],
  message: Uint8Array,
  failures: string[],
): { valid: Confirmation[]; aggregate: Uint8Array | null } {
  const key = (c: Confirmation) => new Uint8Array(Buffer.from(c.member.blsPublicKey, 'hex'));
  if (confirmed.length === 0) return { valid: [], aggregate: null };
  let aggregate: Uint8Array | null = null;
  try {
    aggregate = blsAggregateSignatures(confirmed.map((c) => c.signature));
  } catch {
    // A signature that is not a curve point: found below.
  }
  if (aggregate && blsVerifyAggregate(confirmed.map(key), message, aggregate))
    return { valid: confirmed, aggregate };
  const valid = confirmed.filter((c) => {
    if (blsVerify(key(c), message, c.signature)) return true;
    failures.push(`${c.member.name}: its confirmation signature does not verify`);
    return false;
  });
  return { valid, aggregate: null };
}
