/**
 * BLS12-381 in Walrus's "min_pk" setting: public keys in G1 (48 bytes compressed),
 * signatures in G2 (96 bytes), hashed to G2 under the basic scheme's tag
 * `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_` (fastcrypto's, and so Sui's and Walrus's).
 * Same-message signatures aggregate by point addition, so one 96-byte certificate stands
 * for a quorum of storage nodes.
 *
 * Keys are @noble/curves'. Signing is noble's until a signer calls `loadFastSigning`, then
 * herumi's mcl compiled to WebAssembly (mcl-wasm), set to the same hash-to-curve and tag:
 * byte-identical signatures (the tests hold the two to each other and to fastcrypto's
 * verifier) at about a tenth of the cost — 3 ms against noble's 25–35 ms here, the largest
 * single cost of a storage node storing a blob. It is loaded on demand because it costs
 * ~20 MiB and ~150 ms that only a process that signs (the localnet's nodes) should pay.
 * Verification — a confirmation on the client, a
 * certificate on the client and in the localnet's ledger — and aggregation (the client's
 * certificate) are fastcrypto's own through walrus-wasm (already loaded for the codec):
 * the verdicts and bytes the chain itself produces, at 7–12× noble's speed (an aggregate
 * check of 10 signatures ≈ 13 ms against ≈ 90–150 ms of CPU here; aggregating 10
 * signatures ≈ 4 ms against ≈ 47 ms, most of noble's in decompressing and subgroup-checking
 * each point). @chainsafe/blst, the native library, fixes Ethereum's `…_POP_` tag and
 * cannot sign or verify under Walrus's (see the tests).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type * as Mcl from 'mcl-wasm';
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

/** Walrus's tag: the basic scheme, hashing to G2 (fastcrypto's `DST_G2`). */
const DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_';

/** A signature by `secretKey` of `message`: mcl's once loaded, otherwise noble's. */
export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return fastSigner ? fastSigner(secretKey, message) : nobleSign(secretKey, message);
}

/** @noble/curves' signature: the fallback, and the oracle the tests hold mcl's to. */
export function nobleSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return bls.sign(bls.hash(message, DST), secretKey).toBytes(true);
}

/** Which library `blsSign` uses now. */
export function blsSigningLibrary(): 'mcl-wasm' | '@noble/curves' {
  return fastSigner ? 'mcl-wasm' : '@noble/curves';
}

type Signer = (secretKey: Uint8Array, message: Uint8Array) => Uint8Array;
let fastSigner: Signer | null = null;
let loading: Promise<Signer | null> | null = null;

/**
 * Loads mcl-wasm for `blsSign`; resolves to false (noble goes on signing) when it cannot
 * be loaded or set up here. Calling it again returns the first attempt's outcome.
 */
export async function loadFastSigning(): Promise<boolean> {
  loading ??= mclSigner().catch(() => null);
  fastSigner = await loading;
  return fastSigner !== null;
}

/** mcl's signer on its own, for the tests that compare it with noble's. */
export async function mclSigner(): Promise<Signer> {
  // A CommonJS module: its exports are the namespace's default, or the namespace itself
  // when a loader (tsx) already unwrapped them.
  const loaded = (await import('mcl-wasm')) as unknown as McLib & { default?: McLib };
  const mcl = loaded.default ?? loaded;
  await mcl.init(mcl.BLS12_381);
  // RFC 9380's hash to G2 (SSWU, random oracle) under Walrus's tag, and the compressed
  // point encoding of the IETF drafts / ZCash that noble and fastcrypto use.
  mcl.setMapToMode(mcl.IRTF);
  const { mod } = mcl;
  const dst = new TextEncoder().encode(DST);
  const at = mod._malloc(dst.length);
  try {
    new Uint8Array(mod.HEAP8.buffer).set(dst, at);
    if (mod._mclBnG2_setDst(at, dst.length) !== 0) throw new Error('mcl refused the tag');
  } finally {
    mod._free(at);
  }
  mod._mclBn_setETHserialization(1);
  // A node signs every confirmation with the same key: its scalar is parsed once.
  const scalars = new Map<string, Mcl.Fr>();
  return (secretKey, message) => {
    const hex = Buffer.from(secretKey).toString('hex');
    let scalar = scalars.get(hex);
    if (!scalar) {
      scalar = new mcl.Fr();
      scalar.setBigEndianMod(secretKey);
      scalars.set(hex, scalar);
    }
    return mcl.mul(mcl.hashAndMapToG2(message), scalar).serialize();
  };
}

type McLib = typeof Mcl & { mod: MclModule };

/** The parts of mcl's Emscripten module the typings leave out. */
interface MclModule {
  HEAP8: Int8Array;
  _malloc(bytes: number): number;
  _free(at: number): void;
  _mclBnG2_setDst(at: number, length: number): number;
  _mclBn_setETHserialization(on: number): void;
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
