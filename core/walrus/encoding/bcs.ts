/**
 * The BCS wire types of Walrus blobs, byte-for-byte as walrus-core serialises them
 * (`metadata.rs`, `encoding/slivers.rs`): storage nodes and clients exchange exactly
 * these bytes on `/v1/blobs/{id}/metadata` and `/slivers/...`.
 */
import { bcs } from '@mysten/sui/bcs';
import { BLOB_ID_LENGTH, DIGEST_LENGTH } from './config.js';

export type SliverKind = 'primary' | 'secondary';

const MerkleNodeBcs = bcs.enum('MerkleNode', {
  Empty: null,
  Digest: bcs.fixedArray(DIGEST_LENGTH, bcs.u8()),
});
const SliverPairMetadataBcs = bcs.struct('SliverPairMetadata', {
  primary_hash: MerkleNodeBcs,
  secondary_hash: MerkleNodeBcs,
});
// Variant 0 (RedStuff) is retired; RS2 is variant 1, so the tag byte is the encoding type.
const EncodingTypeBcs = bcs.enum('EncodingType', { RedStuff: null, RS2: null });
const BlobMetadataBcs = bcs.enum('BlobMetadata', {
  V1: bcs.struct('BlobMetadataV1', {
    encoding_type: EncodingTypeBcs,
    unencoded_length: bcs.u64(),
    hashes: bcs.vector(SliverPairMetadataBcs),
  }),
});
const BlobMetadataWithIdBcs = bcs.struct('BlobMetadataWithId', {
  blob_id: bcs.fixedArray(BLOB_ID_LENGTH, bcs.u8()),
  metadata: BlobMetadataBcs,
});
const SliverDataBcs = bcs.struct('SliverData', {
  symbols: bcs.struct('Symbols', { data: bcs.byteVector(), symbol_size: bcs.u16() }),
  index: bcs.u16(),
});

export interface SliverPairHashes {
  primary: Uint8Array;
  secondary: Uint8Array;
}

export interface BlobMetadata {
  encodingType: number;
  /** Kept as a number: Floe's blobs are far below 2^53 bytes, and decoding refuses larger. */
  unencodedLength: number;
  hashes: SliverPairHashes[];
}

export interface Sliver {
  /** Sliver index (for a secondary sliver of pair p this is n - 1 - p). */
  index: number;
  symbolSize: number;
  data: Uint8Array;
}

export class MalformedBcsError extends Error {
  constructor(what: string, cause: unknown) {
    super(`malformed ${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MalformedBcsError';
  }
}

const EMPTY_NODE = new Uint8Array(DIGEST_LENGTH);

function node(bytes: Uint8Array) {
  return bytes.every((b) => b === 0) ? { Empty: true as const } : { Digest: Array.from(bytes) };
}

function nodeBytes(n: { Empty?: true | null; Digest?: number[] }): Uint8Array {
  return n.Digest ? Uint8Array.from(n.Digest) : EMPTY_NODE;
}

function metadataValue(m: BlobMetadata) {
  const encoding = m.encodingType === 1 ? { RS2: true as const } : { RedStuff: true as const };
  return {
    V1: {
      encoding_type: encoding,
      unencoded_length: BigInt(m.unencodedLength),
      hashes: m.hashes.map((h) => ({
        primary_hash: node(h.primary),
        secondary_hash: node(h.secondary),
      })),
    },
  };
}

function fromMetadataValue(v: ReturnType<typeof BlobMetadataBcs.parse>): BlobMetadata {
  const length = BigInt(v.V1.unencoded_length);
  if (length > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`unencoded length ${length} is too large`);
  return {
    encodingType: v.V1.encoding_type.$kind === 'RS2' ? 1 : 0,
    unencodedLength: Number(length),
    hashes: v.V1.hashes.map((h) => ({
      primary: nodeBytes(h.primary_hash),
      secondary: nodeBytes(h.secondary_hash),
    })),
  };
}

/** `BlobMetadataWithId`: what GET/PUT `/v1/blobs/{id}/metadata` carries. */
export function encodeMetadataWithId(blobId: Uint8Array, metadata: BlobMetadata): Uint8Array {
  return BlobMetadataWithIdBcs.serialize({
    blob_id: Array.from(blobId),
    metadata: metadataValue(metadata),
  }).toBytes();
}

export function decodeMetadataWithId(bytes: Uint8Array): {
  blobId: Uint8Array;
  metadata: BlobMetadata;
} {
  try {
    const v = BlobMetadataWithIdBcs.parse(bytes);
    if (BlobMetadataWithIdBcs.serialize(v).toBytes().length !== bytes.length)
      throw new Error('trailing bytes');
    return { blobId: Uint8Array.from(v.blob_id), metadata: fromMetadataValue(v.metadata) };
  } catch (error) {
    throw new MalformedBcsError('blob metadata', error);
  }
}

/** Bare `BlobMetadata`, the part the metadata hashes and the blob id are computed over. */
export function encodeMetadata(metadata: BlobMetadata): Uint8Array {
  return BlobMetadataBcs.serialize(metadataValue(metadata)).toBytes();
}

/** Bare `BlobMetadata`: the body of PUT `/v1/blobs/{id}/metadata` (the id is in the path). */
export function decodeMetadata(bytes: Uint8Array): BlobMetadata {
  try {
    const v = BlobMetadataBcs.parse(bytes);
    if (BlobMetadataBcs.serialize(v).toBytes().length !== bytes.length)
      throw new Error('trailing bytes');
    return fromMetadataValue(v);
  } catch (error) {
    throw new MalformedBcsError('blob metadata', error);
  }
}

export function encodeSliver(s: Sliver): Uint8Array {
  return SliverDataBcs.serialize({
    symbols: { data: s.data, symbol_size: s.symbolSize },
    index: s.index,
  }).toBytes();
}

/**
 * `SliverData` read in place: `data` is a view into `bytes`, not a copy (slivers are the
 * bulk of what nodes and readers move, and each was copied twice here before).
 */
export function decodeSliver(bytes: Uint8Array): Sliver {
  let length = 0;
  let shift = 0;
  let offset = 0;
  for (;;) {
    if (offset >= bytes.length || shift > 28)
      throw new MalformedBcsError('sliver', 'bad length prefix');
    const b = bytes[offset++]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  if (offset + length + 4 !== bytes.length)
    throw new MalformedBcsError(
      'sliver',
      bytes.length < offset + length + 4 ? 'too short' : 'trailing bytes',
    );
  // A length written with needless continuation bytes is not canonical BCS.
  if (encodedSliverLength(length) !== bytes.length)
    throw new MalformedBcsError('sliver', 'non-canonical length prefix');
  const data = bytes.subarray(offset, offset + length);
  const tail = offset + length;
  const symbolSize = bytes[tail]! | (bytes[tail + 1]! << 8);
  const index = bytes[tail + 2]! | (bytes[tail + 3]! << 8);
  return { index, symbolSize, data };
}

/** BCS length of a `SliverData` with `dataLength` bytes of symbols: ULEB128 length + data + two u16. */
export function encodedSliverLength(dataLength: number): number {
  let uleb = 1;
  for (let v = dataLength >>> 7; v !== 0; v >>>= 7) uleb++;
  return uleb + dataLength + 4;
}
