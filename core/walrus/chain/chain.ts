/**
 * `Chain`: what Floe needs from the chain that coordinates Walrus — Sui with the Walrus
 * Move package on the real network, the embedded ledger on localnet. One signer (the
 * account the recovery phrase derives) per instance.
 */

export interface CommitteeMember {
  /** Position in the committee; certificates name signers by it. */
  index: number;
  nodeId: string;
  name: string;
  /** Base URL of the node's storage REST API. */
  url: string;
  /** BLS12-381 G1 public key, hex. */
  blsPublicKey: string;
  stake: string;
  shards: number[];
}

/**
 * Where the epoch change stands (Walrus's `EpochState`): `done` once the nodes holding a
 * quorum of shards have theirs, `params-selected` after voting end (the next committee is
 * chosen), `sync` while shards move to the new committee.
 */
export type EpochState = 'done' | 'params-selected' | 'sync';

export interface SystemState {
  epoch: number;
  epochStartedAt: number;
  epochState: EpochState;
  epochDurationMs: number;
  nShards: number;
  maxEpochsAhead: number;
  /** FROST per MiB of encoded size per epoch. */
  storagePricePerUnit: string;
  /** FROST per MiB of encoded size, once, at registration. */
  writePricePerUnit: string;
  /** Encoded bytes the network stores per epoch, and how many this epoch already holds. */
  totalCapacity: string;
  usedCapacity: string;
  committee: CommitteeMember[];
  /**
   * While shards move (`sync`), the previous epoch's committee: it still holds the slivers
   * of blobs certified before this epoch, and readers go to it for them. Null otherwise.
   */
  previousCommittee: CommitteeMember[] | null;
}

export type BlobState = 'registered' | 'certified' | 'deleted' | 'expired';

export interface BlobObject {
  objectId: string;
  /** URL-safe base64, as Walrus prints blob ids. */
  blobId: string;
  rootHash: string;
  size: number;
  encodingType: number;
  registeredEpoch: number;
  certifiedEpoch: number | null;
  startEpoch: number;
  /** The blob is readable through epoch endEpoch - 1. */
  endEpoch: number;
  storageSize: number;
  deletable: boolean;
  owner: string;
  state: BlobState;
  attributes: Record<string, string>;
}

/**
 * A storage resource the account owns that holds no blob — what a deleted blob gives back
 * (Walrus's `Storage` object): `size` encoded bytes for epochs [startEpoch, endEpoch).
 * `registerBlob` uses a fitting one instead of buying new storage.
 */
export interface StorageResource {
  storageId: string;
  startEpoch: number;
  endEpoch: number;
  size: number;
}

export interface Balances {
  address: string;
  /** MIST */
  sui: string;
  /** FROST */
  wal: string;
}

export interface ChainEvent {
  seq: number;
  epoch: number;
  type: string;
  data: Record<string, unknown>;
}

export interface RegisterBlobParams {
  blobId: string;
  rootHash: Uint8Array;
  size: number;
  encodingType: number;
  epochs: number;
  deletable: boolean;
  attributes?: Record<string, string>;
  /**
   * An upload relay's tip, paid in the same transaction: `amount` MIST to `address`, with
   * `authPayload` as the transaction's first input (walrus-upload-relay's auth package).
   */
  relayTip?: { address: string; amount: bigint; authPayload: Uint8Array };
}

export interface Certificate {
  /** Aggregate BLS signature, 96 bytes. */
  signature: Uint8Array;
  /** Committee indices of the signers. */
  signers: number[];
  /** The confirmation message all signers signed. */
  message: Uint8Array;
}

/**
 * What the chain keeps of a blob's certification: the certify transaction's inputs — the
 * confirmation message, the aggregate signature and who signed it, by their index in the
 * committee of the epoch it was signed in — and that committee, as the chain recorded it.
 * Walrus's `BlobCertified` event names none of this; only the transaction does.
 */
export interface CertificationRecord {
  txDigest: string;
  /** The epoch the certify transaction ran in: its committee checked the signature. */
  epoch: number;
  /** Committee indices of the signers, ascending. */
  signers: number[];
  signature: Uint8Array;
  message: Uint8Array;
  /**
   * That epoch's committee, member order being signer order; null when this chain no
   * longer has it (a Sui full node that pruned the System object's old versions).
   */
  committee: CertifyingMember[] | null;
}

/** A member of the committee a certificate was checked against: its key and its weight. */
export interface CertifyingMember {
  nodeId: string;
  /** The node's name, where the chain has it ('' otherwise). */
  name: string;
  /** BLS12-381 G1 public key, compressed, hex. */
  blsPublicKey: string;
  /** Shards held that epoch: what the signature weighs. */
  weight: number;
}

/** A storage challenge the chain issued to a node, and how it ended. */
export interface ChallengeRecord {
  epoch: number;
  nodeId: string;
  blobId: string;
  /** open: not answered (yet); failed: a wrong proof, or none by the epoch's end. */
  outcome: 'passed' | 'failed' | 'open';
}

export interface TransactionOutcome {
  digest: string;
  /** WAL paid, in FROST. */
  cost: string;
}

export interface ReadChain {
  systemState(): Promise<SystemState>;
  getBlob(objectId: string): Promise<BlobObject | null>;
  /** Every Blob object registered for a blob id (several accounts may store the same bytes). */
  blobsById(blobId: string): Promise<BlobObject[]>;
  listOwnedBlobs(
    owner: string,
    cursor?: string | null,
    limit?: number,
  ): Promise<{ blobs: BlobObject[]; nextCursor: string | null }>;
  events(cursor: number, limit?: number): Promise<{ events: ChainEvent[]; nextCursor: number }>;
  balances(address: string): Promise<Balances>;
  /** The storage resources `owner` holds outside blobs, reusable for new registrations. */
  storageResources(owner: string): Promise<StorageResource[]>;
  /** WAL (FROST) to store `size` bytes for `epochs` epochs, write fee included. */
  storageCost(size: number, epochs: number): Promise<bigint>;
  /**
   * The certify transaction of a certified blob, read back from the chain; null when the
   * blob is not certified or the chain no longer holds the transaction.
   */
  certification(blob: BlobObject): Promise<CertificationRecord | null>;
  /**
   * Storage challenges of epochs `sinceEpoch` and later, or null where the chain records
   * none (Walrus on Sui has no on-chain storage challenges; the localnet's are the seed's).
   */
  challenges(sinceEpoch: number): Promise<ChallengeRecord[] | null>;
}

export interface Chain extends ReadChain {
  readonly address: string;
  /**
   * Registers a blob, in storage the account already owns when a fitting resource (or a
   * set of same-period ones, merged) covers the epochs asked — split to the blob's size,
   * the rest kept — and otherwise in storage bought now.
   */
  registerBlob(params: RegisterBlobParams): Promise<TransactionOutcome & { blob: BlobObject }>;
  certifyBlob(
    objectId: string,
    certificate: Certificate,
  ): Promise<TransactionOutcome & { blob: BlobObject }>;
  extendBlob(objectId: string, epochs: number): Promise<TransactionOutcome & { blob: BlobObject }>;
  deleteBlob(objectId: string): Promise<TransactionOutcome>;
  transferBlob(objectId: string, to: string): Promise<TransactionOutcome>;
  setAttributes(objectId: string, attributes: Record<string, string>): Promise<TransactionOutcome>;
  removeAttribute(objectId: string, key: string): Promise<TransactionOutcome>;
}

/** The chain refused a transaction or query; `code` says why in one word. */
export class ChainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

/**
 * The network has no free capacity for the storage asked (the contract's
 * `EStorageExceeded`): nothing was bought or paid.
 */
export class NetworkFullError extends ChainError {
  constructor(detail: string) {
    super(
      'StorageExceeded',
      `the Walrus network is full for the epochs asked (${detail}); nothing was bought or paid. ` +
        'Store for fewer epochs, or try again when stored data expires or the nodes offer more capacity',
    );
    this.name = 'NetworkFullError';
  }
}

/** Builds the error a refusal with `code` stands for. */
export function chainRefusal(code: string, message: string): ChainError {
  return code === 'StorageExceeded' ? new NetworkFullError(message) : new ChainError(code, message);
}

export class ChainUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    // What happened and what to do first; the technical detail last, for whoever debugs it.
    super(
      `Floe cannot reach the network right now — your files are safe here, and Floe retries by itself (the chain at ${url} cannot be reached: ${(cause as Error)?.message ?? cause})`,
    );
    this.name = 'ChainUnavailableError';
  }
}
