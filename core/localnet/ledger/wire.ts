/**
 * What crosses the ledger's HTTP API: the calls a transaction carries, the signed envelope,
 * and what the ledger answers. The ledger and its client (`LocalChain`) both take these
 * types from here, so neither depends on the other's internals.
 *
 * A transaction is a JSON body naming the sender, its next nonce and one call, signed the
 * way Sui signs transaction data (Ed25519 over Blake2b-256 of the transaction intent and
 * the bytes), so the keypair a Sui wallet derives from the recovery phrase is the one that
 * signs here. The nonce makes every signed transaction usable exactly once.
 */
import type { BlobObject, StorageResource } from '../../walrus/chain/chain.js';

export interface ChallengeAnswer {
  challengeId: string;
  /** Hex digests of the pair's primary and secondary sliver hashes. */
  primaryHash: string;
  secondaryHash: string;
  /** Hex sibling hashes from the pair leaf up to the blob's root hash. */
  pairProof: string[];
  /** Base64 bytes of the challenged symbol of the expanded primary sliver. */
  symbol: string;
  /** Hex sibling hashes from the symbol leaf up to the primary hash. */
  symbolProof: string[];
}

export type Call =
  | { kind: 'transfer_wal'; to: string; amount: string }
  | {
      kind: 'register_blob';
      blobId: string;
      rootHash: string;
      size: number;
      encodingType: number;
      epochs: number;
      deletable: boolean;
      attributes?: Record<string, string>;
      /** Reuse a storage resource (returned by a delete) instead of buying new space. */
      storageId?: string;
      /** SUI (MIST) paid to an upload relay in the same transaction. */
      tip?: { to: string; amount: string };
      /**
       * The most WAL (FROST) the sender pays, as the coin a Sui transaction hands the
       * contract: a price that rose above it since it was quoted refuses the transaction.
       */
      payment?: string;
    }
  | {
      kind: 'certify_blob';
      objectId: string;
      signature: string;
      signers: number[];
      message: string;
    }
  | { kind: 'extend_blob'; objectId: string; epochs: number; payment?: string }
  | { kind: 'delete_blob'; objectId: string }
  | { kind: 'transfer_blob'; objectId: string; to: string }
  | { kind: 'set_attributes'; objectId: string; attributes: Record<string, string> }
  | { kind: 'remove_attribute'; objectId: string; key: string }
  | { kind: 'split_storage_by_epoch'; storageId: string; epoch: number }
  | { kind: 'split_storage_by_size'; storageId: string; size: number }
  | { kind: 'merge_storage'; storageId: string; otherId: string }
  | { kind: 'stake'; nodeId: string; amount: string }
  | { kind: 'withdraw_stake'; stakeId: string }
  | { kind: 'set_node_url'; nodeId: string; url: string }
  /** A node's votes (its operator signs): FROST per MiB, and encoded bytes offered. */
  | { kind: 'set_storage_price_vote'; nodeId: string; price: string }
  | { kind: 'set_write_price_vote'; nodeId: string; price: string }
  | { kind: 'set_node_capacity_vote'; nodeId: string; capacity: string }
  /** A node reports it holds all the shards the new committee gave it. */
  | { kind: 'epoch_sync_done'; nodeId: string; epoch: number }
  | ({ kind: 'answer_challenge' } & ChallengeAnswer);

export type CallKind = Call['kind'];

export interface TransactionBody {
  sender: string;
  nonce: number;
  call: Call;
  /**
   * Base64 bytes standing where a Sui programmable transaction's first pure input is: an
   * upload relay's auth package. The ledger stores it for the relay to read back.
   */
  authPayload?: string;
}

export interface SignedTransaction {
  /** The exact bytes that were signed: the UTF-8 JSON of a `TransactionBody`, base64. */
  bytes: string;
  /** Sui serialized signature (flag || signature || public key), base64. */
  signature: string;
}

export function encodeTransaction(body: TransactionBody): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(body));
}

/** What an applied transaction answers. */
export interface TxResult {
  digest: string;
  /** WAL paid, in FROST. */
  cost: string;
  objectId?: string;
  blob?: BlobObject;
  stakeId?: string;
  passed?: boolean;
}

/** A transaction as Sui reports it to whoever asks by digest (here: an upload relay). */
export interface TransactionRecord {
  digest: string;
  sender: string;
  timestampMs: number;
  /** Base64, or null when the transaction had none. */
  authPayload: string | null;
  /** Net change per address and coin in this transaction, as decimal strings. */
  balanceChanges: { address: string; coin: 'wal' | 'sui'; amount: string }[];
  /** The epoch it ran in, and its call with every input; null for ledgers older than that record. */
  epoch: number | null;
  call: Call | null;
}

export interface AccountView {
  address: string;
  /** MIST */
  sui: string;
  /** FROST */
  wal: string;
  nonce: number;
}

export type { StorageResource };

/** The ledger's error body: a one-word code and a message saying what to do. */
export interface ErrorBody {
  error: { code: string; message: string };
}
