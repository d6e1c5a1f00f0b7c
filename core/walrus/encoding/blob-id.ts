/**
 * Blob ids (walrus-core `lib.rs`): Blake2b-256 over the BCS of (encoding type, unencoded
 * length, Merkle root of the sliver-pair hashes). The id commits to every sliver, so a
 * reader who knows only the id can verify metadata and, through it, each sliver.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import type { BlobMetadata } from './bcs.js';
import { BLOB_ID_LENGTH } from './config.js';
import { merkleRoot } from './merkle.js';

export type BlobId = Uint8Array;

export function metadataRootHash(metadata: BlobMetadata): Uint8Array {
  return merkleRoot(metadata.hashes.map((h) => concat(h.primary, h.secondary)));
}

export function blobIdFromRootHash(
  rootHash: Uint8Array,
  encodingType: number,
  unencodedLength: number,
): BlobId {
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(unencodedLength), true);
  return blake2b
    .create({ dkLen: BLOB_ID_LENGTH })
    .update(Uint8Array.of(encodingType))
    .update(length)
    .update(rootHash)
    .digest();
}

export function blobIdFromMetadata(metadata: BlobMetadata): BlobId {
  return blobIdFromRootHash(
    metadataRootHash(metadata),
    metadata.encodingType,
    metadata.unencodedLength,
  );
}

/** Walrus prints blob ids as URL-safe base64 without padding (43 characters). */
export function blobIdToString(id: BlobId): string {
  return Buffer.from(id).toString('base64url');
}

export class InvalidBlobIdError extends Error {
  constructor(text: string) {
    super(`"${text}" is not a Walrus blob id: expected 43 characters of URL-safe base64`);
    this.name = 'InvalidBlobIdError';
  }
}

export function blobIdFromString(text: string): BlobId {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) throw new InvalidBlobIdError(text);
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (bytes.length !== BLOB_ID_LENGTH || blobIdToString(bytes) !== text)
    throw new InvalidBlobIdError(text);
  return bytes;
}

/** On chain the Move package keeps a blob id as a u256: its bytes read little-endian. */
export function blobIdToBigInt(id: BlobId): bigint {
  let value = 0n;
  for (let i = id.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(id[i]!);
  return value;
}

export function blobIdFromBigInt(value: bigint): BlobId {
  const out = new Uint8Array(BLOB_ID_LENGTH);
  let v = value;
  for (let i = 0; i < BLOB_ID_LENGTH; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
