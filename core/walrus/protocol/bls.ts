/**
 * BLS12-381 in Walrus's "min_pk" setting: public keys in G1 (48 bytes compressed),
 * signatures in G2 (96 bytes), hashed to G2 under the basic scheme's tag
 * `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_` (fastcrypto's, and so Sui's and Walrus's).
 * Same-message signatures aggregate by point addition, so one 96-byte certificate stands
 * for a quorum of storage nodes.
 *
 * Keys and signing are @noble/curves'. Verification — a confirmation on the client, a
 * certificate on the client and in the localnet's ledger — and aggregation (the client's
 * certificate) are fastcrypto's own through walrus-wasm (already loaded for the codec):
 * the verdicts and bytes the chain itself produces, at 7–12× noble's speed (an aggregate
 * check of 10 signatures ≈ 13 ms against ≈ 90–150 ms of CPU here; aggregating 10
 * signatures ≈ 4 ms against ≈ 47 ms, most of noble's in decompressing and subgroup-checking
 * each point). @chainsafe/blst, the native library, fixes Ethereum's `…_POP_` tag and
 * cannot sign or verify under Walrus's (see the tests).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import {
  bls12381_min_pk_aggregate,
  bls12381_min_pk_verify,
  bls12381_min_pk_verify_aggregate,
} from '@mysten/walrus-wasm';

const bls = bls12_381.longSignatures;

export interface BlsKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function generateBlsKeyPair(seed?: Uint8Array): BlsKeyPair {
  const { secretKey, publicKey } = bls.keygen(seed);
  return { secretKey, publicKey: publicKey.toBytes(true) };
}

export function blsPublicKey(secretKey: Uint8Array): Uint8Array {
  return bls.getPublicKey(secretKey).toBytes(true);
}

export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return bls.sign(bls.hash(message), secretKey).toBytes(true);
}

/** False for a well-formed but wrong signature, and for bytes that are not curve points. */
export function blsVerify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return bls12381_min_pk_verify(signature, publicKey, message);
  } catch {
    return false; // not a point (fastcrypto throws "Invalid value")
  }
}

/** Throws for an empty list and for bytes that are not curve points. */
export function blsAggregateSignatures(signatures: Uint8Array[]): Uint8Array {
  if (signatures.length === 0) throw new RangeError('no signatures to aggregate');
  return bls12381_min_pk_aggregate(signatures);
}

/** Verifies one signature aggregated by signers who all signed the same message. */
export function blsVerifyAggregate(
  publicKeys: Uint8Array[],
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKeys.length === 0) return false;
  try {
    return bls12381_min_pk_verify_aggregate(publicKeys, message, signature);
  } catch {
    return false;
  }
}
