/**
 * RS2 ("RedStuff") encoding parameters for a committee of `nShards` shards.
 *
 * A blob is laid out as a matrix of (n - 2f) rows by (n - f) columns of equal-sized
 * symbols. Primary slivers are the rows (each n - f symbols long), secondary slivers the
 * columns (each n - 2f symbols long); both axes are extended with Reed-Solomon repair
 * symbols to n slivers. The arithmetic mirrors walrus-core's `encoding/config.rs`, and
 * the Move contract prices storage with the same `encodedBlobLength`, so it must agree
 * to the byte.
 */

/** RS2 is the only encoding Walrus accepts today; its wire tag in BCS is 1. */
export const RS2_ENCODING_TYPE = 1;
/** Symbols are GF(2^16) elements, so their size must be even. */
const SYMBOL_ALIGNMENT = 2;
/** The largest symbol RS2 allows: u16::MAX rounded down to the alignment. */
export const MAX_SYMBOL_SIZE = 65_534;
/** Blake2b-256 digests and blob ids are 32 bytes. */
export const DIGEST_LENGTH = 32;
export const BLOB_ID_LENGTH = 32;
export const MIN_SHARDS = 4;

export class BlobTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly maxSize: number,
    readonly nShards: number,
  ) {
    super(
      `a blob of ${size} bytes cannot be encoded on ${nShards} shards: the most is ${maxSize} bytes ` +
        `(symbols are capped at ${MAX_SYMBOL_SIZE} bytes); split it into smaller blobs or use a network with more shards`,
    );
    this.name = 'BlobTooLargeError';
  }
}

export class EncodingConfig {
  readonly nShards: number;
  /** f: the most shards that may be faulty, floor((n - 1) / 3). */
  readonly maxFaulty: number;
  /** Rows of the message matrix, n - 2f: a reader needs this many primary slivers. */
  readonly primarySourceSymbols: number;
  /** Columns of the message matrix, n - f. */
  readonly secondarySourceSymbols: number;

  constructor(nShards: number) {
    // Below 4 shards f is 0 and there would be no repair symbols to encode.
    if (!Number.isInteger(nShards) || nShards < MIN_SHARDS || nShards > 0xffff) {
      throw new RangeError(
        `the number of shards must be an integer from ${MIN_SHARDS} to 65535, not ${nShards}`,
      );
    }
    this.nShards = nShards;
    this.maxFaulty = Math.floor((nShards - 1) / 3);
    this.secondarySourceSymbols = nShards - this.maxFaulty;
    this.primarySourceSymbols = nShards - 2 * this.maxFaulty;
  }

  get sourceSymbolsPerBlob(): number {
    return this.primarySourceSymbols * this.secondarySourceSymbols;
  }

  get maxBlobSize(): number {
    return this.sourceSymbolsPerBlob * MAX_SYMBOL_SIZE;
  }

  /** Symbol size for a blob: ceil(len / symbols) rounded up to even; the empty blob counts as 1 byte. */
  symbolSize(blobLength: number): number {
    const len = Math.max(blobLength, 1);
    const raw = Math.ceil(len / this.sourceSymbolsPerBlob);
    const size = Math.ceil(raw / SYMBOL_ALIGNMENT) * SYMBOL_ALIGNMENT;
    if (size > MAX_SYMBOL_SIZE)
      throw new BlobTooLargeError(blobLength, this.maxBlobSize, this.nShards);
    return size;
  }

  /** Bytes of symbol data in one primary sliver (a row: n - f symbols). */
  primarySliverSize(blobLength: number): number {
    return this.secondarySourceSymbols * this.symbolSize(blobLength);
  }

  /** Bytes of symbol data in one secondary sliver (a column: n - 2f symbols). */
  secondarySliverSize(blobLength: number): number {
    return this.primarySourceSymbols * this.symbolSize(blobLength);
  }

  /** Metadata each node stores per blob: two digests per shard plus the blob id. */
  get metadataLength(): number {
    return this.nShards * DIGEST_LENGTH * 2 + BLOB_ID_LENGTH;
  }

  /**
   * Total bytes the network stores for a blob: every shard holds one sliver pair and a
   * copy of the metadata. This is the size Walrus charges storage for.
   */
  encodedBlobLength(blobLength: number): number {
    const pairSize =
      (this.primarySourceSymbols + this.secondarySourceSymbols) * this.symbolSize(blobLength);
    return this.nShards * (pairSize + this.metadataLength);
  }
}
