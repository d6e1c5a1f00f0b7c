/**
 * Verifying one sliver against a blob's metadata. A sliver's hash in the metadata is the
 * Merkle root over *all n* symbols of its row (primary) or column (secondary) of the
 * fully expanded RedStuff matrix — the sliver's own symbols followed by their
 * Reed–Solomon repair symbols — so checking a sliver means re-encoding it first
 * (walrus-core `encoding/blob_encoding.rs`, `compute_metadata_from_symbol_hashes`).
 */
import { decodeSliver, type BlobMetadata, type Sliver, type SliverKind } from './bcs.js';
import { EncodingConfig } from './config.js';
import { equalBytes, leafHash, merkleRootOfLeafHashes } from './merkle.js';
import { loadNativeEncoder } from './native/index.js';
import { encodeRecovery } from './reed-solomon.js';

export class InvalidSliverError extends Error {
  constructor(
    readonly pairIndex: number,
    readonly kind: SliverKind,
    readonly reason: string,
  ) {
    super(`${kind} sliver of pair ${pairIndex} is invalid: ${reason}`);
    this.name = 'InvalidSliverError';
  }
}

/** Sliver index of the `kind` sliver in pair `pairIndex`: secondary slivers run backwards. */
export function sliverIndex(kind: SliverKind, pairIndex: number, nShards: number): number {
  return kind === 'primary' ? pairIndex : nShards - 1 - pairIndex;
}

/** Symbols of the sliver's own axis: a primary sliver is a row of n - f symbols, a secondary a column of n - 2f. */
export function sourceSymbolCount(kind: SliverKind, config: EncodingConfig): number {
  return kind === 'primary' ? config.secondarySourceSymbols : config.primarySourceSymbols;
}

/** The sliver's n expanded symbols: its own, then their repair symbols. */
export function expandSliver(
  kind: SliverKind,
  sliver: Sliver,
  config: EncodingConfig,
): Uint8Array[] {
  const k = sourceSymbolCount(kind, config);
  const size = sliver.symbolSize;
  const originals: Uint8Array[] = [];
  for (let i = 0; i < k; i++) originals.push(sliver.data.subarray(i * size, (i + 1) * size));
  return originals.concat(encodeRecovery(originals, config.nShards - k));
}

/** The native encoder's kernels when they load: ~50× faster than expanding here. */
const native = loadNativeEncoder();

export function sliverHash(kind: SliverKind, sliver: Sliver, config: EncodingConfig): Uint8Array {
  if (native && sliver.symbolSize > 0)
    return native.sliverRoot(
      config.nShards,
      sourceSymbolCount(kind, config),
      sliver.symbolSize,
      sliver.data,
    );
  return sliverHashInJs(kind, sliver, config);
}

/** The same root computed in TypeScript: where the addon is not built, and its oracle. */
export function sliverHashInJs(
  kind: SliverKind,
  sliver: Sliver,
  config: EncodingConfig,
): Uint8Array {
  return merkleRootOfLeafHashes(expandSliver(kind, sliver, config).map(leafHash));
}

/**
 * Throws `InvalidSliverError` unless `bytes` is the BCS `SliverData` of the `kind` sliver
 * of pair `pairIndex` of the blob described by `metadata`.
 */
export function verifySliver(
  metadata: BlobMetadata,
  pairIndex: number,
  kind: SliverKind,
  bytes: Uint8Array,
): Sliver {
  const nShards = metadata.hashes.length;
  const expected = metadata.hashes[pairIndex];
  if (!expected)
    throw new InvalidSliverError(pairIndex, kind, `the blob has only ${nShards} sliver pairs`);
  let sliver: Sliver;
  try {
    sliver = decodeSliver(bytes);
  } catch (error) {
    throw new InvalidSliverError(pairIndex, kind, (error as Error).message);
  }
  return verifyDecodedSliver(metadata, pairIndex, kind, sliver);
}

/** `verifySliver` for a sliver already decoded (a node checks its index before this). */
export function verifyDecodedSliver(
  metadata: BlobMetadata,
  pairIndex: number,
  kind: SliverKind,
  sliver: Sliver,
): Sliver {
  const nShards = metadata.hashes.length;
  const expected = metadata.hashes[pairIndex];
  if (!expected)
    throw new InvalidSliverError(pairIndex, kind, `the blob has only ${nShards} sliver pairs`);
  const config = new EncodingConfig(nShards);
  const wantIndex = sliverIndex(kind, pairIndex, nShards);
  if (sliver.index !== wantIndex) {
    throw new InvalidSliverError(
      pairIndex,
      kind,
      `it carries sliver index ${sliver.index}, expected ${wantIndex}`,
    );
  }
  const symbolSize = config.symbolSize(metadata.unencodedLength);
  if (sliver.symbolSize !== symbolSize) {
    throw new InvalidSliverError(
      pairIndex,
      kind,
      `symbol size ${sliver.symbolSize}, expected ${symbolSize}`,
    );
  }
  const length = sourceSymbolCount(kind, config) * symbolSize;
  if (sliver.data.length !== length) {
    throw new InvalidSliverError(
      pairIndex,
      kind,
      `${sliver.data.length} bytes of symbols, expected ${length}`,
    );
  }
  const hash = sliverHash(kind, sliver, config);
  if (!equalBytes(hash, kind === 'primary' ? expected.primary : expected.secondary)) {
    throw new InvalidSliverError(
      pairIndex,
      kind,
      'its Merkle root does not match the blob metadata',
    );
  }
  return sliver;
}
