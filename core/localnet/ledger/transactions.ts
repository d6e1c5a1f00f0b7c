/**
 * Ledger transactions: a JSON body naming the sender, its next nonce and one call,
 * signed the way Sui signs transaction data (Ed25519 over Blake2b-256 of the
 * transaction intent and the bytes), so the keypair a Sui wallet derives from the
 * recovery phrase is the one that signs here. The nonce makes every signed transaction
 * usable exactly once.
 */
import { verifyTransactionSignature } from '@mysten/sui/verify';
import type { ChallengeAnswer } from './challenges.js';
import { refuse } from './errors.js';

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
    }
  | {
      kind: 'certify_blob';
      objectId: string;
      signature: string;
      signers: number[];
      message: string;
    }
  | { kind: 'extend_blob'; objectId: string; epochs: number }
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
  | ({ kind: 'answer_challenge' } & ChallengeAnswer);

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

/** Checks the signature and that it is the sender's; returns the body. Touches no state. */
export async function verifyTransaction(tx: SignedTransaction): Promise<TransactionBody> {
  if (typeof tx?.bytes !== 'string' || typeof tx?.signature !== 'string') {
    throw refuse.invalid('a transaction needs base64 "bytes" and "signature"');
  }
  const bytes = new Uint8Array(Buffer.from(tx.bytes, 'base64'));
  let body: TransactionBody;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as TransactionBody;
  } catch {
    throw refuse.invalid('the transaction bytes are not JSON');
  }
  if (
    typeof body.sender !== 'string' ||
    !Number.isInteger(body.nonce) ||
    typeof body.call?.kind !== 'string'
  ) {
    throw refuse.invalid('a transaction body needs sender, nonce and call');
  }
  let signer: string;
  try {
    signer = (await verifyTransactionSignature(bytes, tx.signature)).toSuiAddress();
  } catch (error) {
    throw refuse.badSignature((error as Error).message);
  }
  if (signer !== body.sender)
    throw refuse.badSignature(`signed by ${signer}, not by the sender ${body.sender}`);
  return body;
}
