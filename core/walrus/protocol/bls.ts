/**
 * BLS12-381 in Walrus's "min_pk" setting: public keys in G1 (48 bytes compressed),
 * signatures in G2 (96 bytes), the standard hash-to-curve domain. Same-message
 * signatures aggregate by point addition, so one 96-byte certificate stands for a
 * quorum of storage nodes. Checked against walrus-wasm's fastcrypto build in the tests.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';

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
    return bls.verify(signature, bls.hash(message), publicKey);
  } catch {
    return false;
  }
}

export function blsAggregateSignatures(signatures: Uint8Array[]): Uint8Array {
  return bls.aggregateSignatures(signatures).toBytes(true);
}

/** Verifies one signature aggregated by signers who all signed the same message. */
export function blsVerifyAggregate(
  publicKeys: Uint8Array[],
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKeys.length === 0) return false;
  try {
    return bls.verify(signature, bls.hash(message), bls.aggregatePublicKeys(publicKeys));
  } catch {
    return false;
  }
}
