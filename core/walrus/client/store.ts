/**
 * Storing a blob: encode in the worker pool → register on chain (buys storage) → send
 * metadata and each node's slivers to every node at once → collect signed confirmations
 * from nodes holding a quorum of shards (3w ≥ 2n + 1, as the contract counts) → certify
 * with their aggregate signature.
 * With an upload relay, the relay does the sending and collecting (the blob goes up once
 * instead of ~5×), and its certificate is checked here before any gas is spent on it.
 */
import { randomBytes } from 'node:crypto';
import type { Chain, Certificate, RegisterBlobParams, SystemState } from '../chain/chain.js';
import {
  blobIdToString,
  encodeMetadata,
  equalBytes,
  RS2_ENCODING_TYPE,
  type CodecPool,
} from '../encoding/index.js';
import { certificateProblem } from '../protocol/certificate.js';
import { quorumWeight } from '../protocol/quorum.js';
import { confirmationMessage, type BlobPersistence } from '../protocol/confirmation.js';
import {
  UploadRelayRefusedError,
  UploadRelayUnavailableError,
  type UploadRelayClient,
} from '../relay/relay-client.js';
import { authPayload, tipAmount, type TipConfig } from '../relay/tip.js';
import type { StorageNodeClient } from '../storage-node-client.js';
import { NotEnoughConfirmationsError, RelayTipTooHighError } from './errors.js';
import { fanOut, fanOutBytes, type FanOutProgress, type FanOutResult } from './fan-out.js';
import type { ConcurrencyLimiter } from './limiter.js';
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
  /** SUI (MIST) tipped to the upload relay; 0 for a direct store. */
  tip: bigint;
  /** The certificate this store certified with: its epoch, signers and transaction. */
  certification: { epoch: number; signerNodeIds: string[]; txDigest: string };
}

/** An upload relay to store through, and the most its tip may be. */
export interface RelayRoute {
  client: UploadRelayClient;
  /** MIST; null for no limit. */
  maxTip: bigint | null;
  /** The relay's tip configuration (the client caches it). */
  tipConfig(): Promise<TipConfig>;
  /** Drops the cached configuration: the relay said the tip paid was not enough. */
  forgetTipConfig(): void;
}

export interface StoreContext {
  chain: Chain;
  pool: CodecPool;
  limiter: ConcurrencyLimiter;
  retry: RetryPolicy;
  nodeClient: (url: string) => StorageNodeClient;
  /** The upload bandwidth limit, if the user set one. */
  uploadRate?: ByteRateLimiter;
  relay?: RelayRoute;
}

/** Epoch changes a store rides through before giving up (epochs last minutes to weeks). */
const MAX_EPOCH_RETRIES = 2;

/** Stores `data`; its buffer is handed to a worker thread and is unusable afterwards. */
export async function storeBlob(
  ctx: StoreContext,
  data: Uint8Array,
  o: StoreOptions,
): Promise<StoredBlob> {
  const state = await ctx.chain.systemState();
  const size = data.length;
  // The encoder takes `data` to its worker; a relay needs the unencoded bytes afterwards.
  const raw = ctx.relay ? data.slice() : null;
  let requests = 0;
  const progress: StoreProgress = {
    phase: 'encoding',
    bytesSent: 0,
    bytesTotal: 0,
    nodesConfirmed: 0,
    nodesTotal: state.committee.length,
    shardsConfirmed: 0,
    quorum: quorumWeight(state.nShards),
  };
  const report = () => o.onProgress?.({ ...progress });
  report();

  const encoded = await ctx.pool.encode(state.nShards, data);
  const blobId = blobIdToString(encoded.blobId);
  const metadata = encodeMetadata(encoded.metadata);
  o.onEncoded?.(blobId);
  progress.bytesTotal = raw ? raw.length : fanOutBytes(state, encoded, metadata);
  progress.phase = 'registering';
  report();

  const tip = ctx.relay && raw ? await relayTip(ctx.relay, raw, state) : null;
  const registered = await ctx.chain.registerBlob({
    blobId,
    rootHash: encoded.rootHash,
    size,
    encodingType: RS2_ENCODING_TYPE,
    epochs: o.epochs,
    deletable: o.deletable,
    ...(o.attributes ? { attributes: o.attributes } : {}),
    ...(tip ? { relayTip: tip.payment } : {}),
  });
  const objectId = registered.blob.objectId;
  const persistence: BlobPersistence = o.deletable
    ? { deletable: true, objectId }
    : { deletable: false };

  // Confirmations are signed for the current epoch and the committee can change with it:
  // if the epoch turns while uploading or certifying, upload to the new committee (nodes
  // that already hold their slivers answer at once) and certify again.
  let committeeState = state;
  let certified: { digest: string; blob: { endEpoch: number } } | null = null;
  let certification: StoredBlob['certification'] | null = null;
  let failures: string[] = [];
  for (let attempt = 0; !certified; attempt++) {
    if (attempt > 0) committeeState = await ctx.chain.systemState();
    const expected = confirmationMessage(committeeState.epoch, encoded.blobId, persistence);
    progress.phase = 'uploading';
    progress.bytesSent = 0;
    progress.nodesConfirmed = 0;
    progress.shardsConfirmed = 0;
    progress.nodesTotal = committeeState.committee.length;
    report();
    const onProgress = (p: FanOutProgress) => {
      Object.assign(progress, p);
      report();
    };
    const result: FanOutResult =
      ctx.relay && raw
        ? await throughRelay(ctx, ctx.relay, {
            state: committeeState,
            blobId,
            blob: raw,
            deletableObjectId: o.deletable ? objectId : null,
            tip: tip ? { txDigest: registered.digest, nonce: tip.nonce } : null,
            expected,
            onProgress,
            ...(o.signal ? { signal: o.signal } : {}),
          })
        : await fanOut(ctx, {
            state: committeeState,
            encoded,
            blobId,
            metadata,
            deletableObjectId: o.deletable ? objectId : null,
            expected,
            onProgress,
            ...(o.signal ? { signal: o.signal } : {}),
          });
    requests += result.requests;
    failures = result.failures;
    progress.shardsConfirmed = result.shardsConfirmed;

    const epochMoved = async () =>
      attempt < MAX_EPOCH_RETRIES && (await ctx.chain.systemState()).epoch !== committeeState.epoch;
    if (!result.certificate) {
      if (await epochMoved()) continue;
      throw new NotEnoughConfirmationsError(
        blobId,
        result.shardsConfirmed,
        quorumWeight(committeeState.nShards),
        failures,
      );
    }
    progress.phase = 'certifying';
    report();
    try {
      certified = await ctx.chain.certifyBlob(objectId, result.certificate);
      const signers = new Set(result.certificate.signers);
      certification = {
        epoch: committeeState.epoch,
        signerNodeIds: committeeState.committee
          .filter((m) => signers.has(m.index))
          .map((m) => m.nodeId),
        txDigest: certified.digest,
      };
    } catch (error) {
      if (!(await epochMoved())) throw error;
    }
  }
  // Every upload request has settled (fanOut waits for them): the slivers' buffers can
  // serve the next encode.
  ctx.pool.recycle(encoded);
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
    tip: tip?.payment.amount ?? 0n,
    certification: certification!,
  };
}

/** The tip to pay in the registering transaction, or null when the relay is free. */
async function relayTip(
  relay: RelayRoute,
  blob: Uint8Array,
  state: SystemState,
): Promise<{ payment: NonNullable<RegisterBlobParams['relayTip']>; nonce: Uint8Array } | null> {
  const config = await relay.tipConfig();
  if (!config) return null;
  const amount = tipAmount(config, blob.length, state.nShards);
  if (relay.maxTip !== null && amount > relay.maxTip)
    throw new RelayTipTooHighError(relay.client.url, amount, relay.maxTip);
  const nonce = new Uint8Array(randomBytes(32));
  return {
    payment: { address: config.address, amount, authPayload: authPayload(blob, nonce) },
    nonce,
  };
}

interface RelayStore {
  state: SystemState;
  blobId: string;
  blob: Uint8Array;
  deletableObjectId: string | null;
  tip: { txDigest: string; nonce: Uint8Array } | null;
  expected: Uint8Array;
  onProgress: (p: FanOutProgress) => void;
  signal?: AbortSignal;
}

/**
 * Hands the blob to the relay and checks its certificate as the contract will — the
 * right message, distinct committee signers holding a quorum, a valid aggregate
 * signature — so a faulty relay costs an upload, not a failed certify transaction.
 */
async function throughRelay(
  ctx: StoreContext,
  relay: RelayRoute,
  r: RelayStore,
): Promise<FanOutResult> {
  let requests = 0;
  const certificate: Certificate = await withRetry(
    () => {
      requests++;
      let sent = 0;
      r.onProgress({ bytesSent: 0, nodesConfirmed: 0, shardsConfirmed: 0 });
      return relay.client.writeBlob({
        blobId: r.blobId,
        blob: r.blob,
        ...(r.deletableObjectId ? { deletableObjectId: r.deletableObjectId } : {}),
        ...(r.tip ? { tip: r.tip } : {}),
        ...(ctx.uploadRate ? { beforeChunk: (n: number) => ctx.uploadRate!.take(n) } : {}),
        onSent: (n) =>
          r.onProgress({ bytesSent: (sent += n), nodesConfirmed: 0, shardsConfirmed: 0 }),
        ...(r.signal ? { signal: r.signal } : {}),
      });
    },
    // A 5xx is the relay (or the nodes behind it) unwell, not a refusal: ask again.
    (e) =>
      e instanceof UploadRelayUnavailableError ||
      (e instanceof UploadRelayRefusedError && e.status >= 500),
    ctx.retry,
    r.signal,
  ).catch((error: unknown) => {
    // 402: the relay wants more than its cached configuration said; ask it afresh next time.
    if (error instanceof UploadRelayRefusedError && error.status === 402) relay.forgetTipConfig();
    throw error;
  });
  if (!equalBytes(certificate.message, r.expected)) {
    // Most likely signed in another epoch: the caller's epoch check decides whether to retry.
    return {
      certificate: null,
      shardsConfirmed: 0,
      failures: [`${relay.client.url}: its certificate is for a different message`],
      requests,
    };
  }
  const problem = certificateProblem(
    r.state.committee,
    r.state.nShards,
    certificate.signers,
    certificate.message,
    certificate.signature,
  );
  if (problem)
    throw new UploadRelayRefusedError(
      relay.client.url,
      200,
      `its certificate is invalid: ${problem}`,
    );
  const signers = new Set(certificate.signers);
  const members = r.state.committee.filter((m) => signers.has(m.index));
  const shardsConfirmed = members.reduce((sum, m) => sum + m.shards.length, 0);
  r.onProgress({ bytesSent: r.blob.length, nodesConfirmed: members.length, shardsConfirmed });
  return { certificate, shardsConfirmed, failures: [], requests };
}
