/**
 * RedStuff's symbols, served and checked: the symbol where a primary sliver (row) and a
 * secondary sliver (column) of the expanded blob cross belongs to both, so a node holding
 * either can hand it to a node rebuilding the other. `recoverySymbols` come with a Merkle
 * proof against the source sliver's hash in the metadata (walrus-core `symbols.rs`
 * `GeneralRecoverySymbol`); `decodingSymbols` are the bare bytes, for source slivers only
 * (routes.rs `list_recovery_symbols`, `list_decoding_symbols`).
 */
import { bcs } from '@mysten/sui/bcs';
import {
  blobIdFromString,
  decodeSliver,
  EncodingConfig,
  expandSliver,
  leafHash,
  merkleProof,
  verifyMerkleProof,
  sourceSymbolCount,
  type BlobMetadata,
  type Sliver,
  type SliverKind,
} from '../../walrus/encoding/index.js';
import { decodeOriginals } from '../../walrus/encoding/rs-decode.js';
import { pairIndexToShard, shardToPairIndex } from '../../walrus/shards.js';
import {
  FrameworkRejection,
  indexOutOfRange,
  noSymbolsSpecified,
  sliverUnavailable,
  symbolNotPresent,
  symbolOutOfRange,
  type NodeApiError,
} from './api-errors.js';
import type { ChainView } from './chain-view.js';
import type { NodeApi } from './node-api.js';

const MerkleNodeBcs = bcs.enum('Node', { Empty: null, Digest: bcs.fixedArray(32, bcs.u8()) });
/** `MerkleProof`: its hash-function marker is a PhantomData, which BCS writes as nothing. */
const MerkleProofBcs = bcs.struct('MerkleProof', { path: bcs.vector(MerkleNodeBcs) });
const DecodingSymbolBcs = bcs.struct('DecodingSymbol', {
  index: bcs.u16(),
  data: bcs.byteVector(),
});
/** `ByAxis`: a symbol that recovers a primary sliver is `Primary` (it came from a secondary one). */
const EitherDecodingSymbolBcs = bcs.enum('ByAxis', {
  Primary: DecodingSymbolBcs,
  Secondary: DecodingSymbolBcs,
});
export const GeneralRecoverySymbolBcs = bcs.struct('GeneralRecoverySymbol', {
  symbol: EitherDecodingSymbolBcs,
  target_index: bcs.u16(),
  proof: MerkleProofBcs,
});
export const RecoverySymbolBcs = bcs.struct('RecoverySymbol', {
  symbol: DecodingSymbolBcs,
  proof: MerkleProofBcs,
});
const RecoverySymbolsBcs = bcs.vector(GeneralRecoverySymbolBcs);
export const DecodingSymbolsBcs = bcs.map(bcs.u16(), bcs.vector(EitherDecodingSymbolBcs));

export interface SymbolSource {
  view: ChainView;
  api: NodeApi;
}

/** A symbol's bytes with the index of the sliver it came from and its proof path. */
export interface ProvenSymbol {
  /** Index of the source sliver (the orthogonal axis to the one being recovered). */
  sourceIndex: number;
  data: Uint8Array;
  proof: Uint8Array[];
}

const other = (kind: SliverKind): SliverKind => (kind === 'primary' ? 'secondary' : 'primary');
const pairOf = (kind: SliverKind, index: number, n: number) =>
  kind === 'primary' ? index : n - 1 - index;
const indexOfPair = pairOf;

function parseAxis(text: string | null, name: string): SliverKind {
  if (text === 'primary' || text === 'secondary') return text;
  throw new FrameworkRejection(
    400,
    `Failed to deserialize query string: ${name}: unknown variant \`${text ?? ''}\`, expected \`primary\` or \`secondary\``,
  );
}

function parseIndex(text: string, name: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 0xffff)
    throw new FrameworkRejection(
      400,
      `Failed to deserialize query string: ${name}: invalid digit found in string`,
    );
  return Number(text);
}

/**
 * The symbol at (primary `p`, secondary `s`) out of this node's `sourceKind` sliver, with
 * its proof; null when the node does not hold that sliver's shard.
 */
async function symbolFrom(
  src: SymbolSource,
  blobId: string,
  metadataN: number,
  sourceKind: SliverKind,
  p: number,
  s: number,
): Promise<
  | {
      target: SliverKind;
      sourceIndex: number;
      targetIndex: number;
      data: Uint8Array;
      proof: Uint8Array[];
    }
  | NodeApiError
> {
  const n = metadataN;
  const sourceIndex = sourceKind === 'primary' ? p : s;
  const targetIndex = sourceKind === 'primary' ? s : p;
  const pair = pairOf(sourceKind, sourceIndex, n);
  const self = await src.view.self();
  const shard = pairIndexToShard(pair, blobIdFromString(blobId), n);
  if (!self?.shards.includes(shard)) return symbolNotPresent();
  const bytes = await src.api.readOwnSliver(blobId, pair, sourceKind);
  if (!bytes) return sliverUnavailable();
  const expanded = expandSliver(sourceKind, decodeSliver(bytes), new EncodingConfig(n));
  return {
    target: other(sourceKind),
    sourceIndex,
    targetIndex,
    data: expanded[targetIndex]!,
    proof: merkleProof(expanded.map(leafHash), targetIndex),
  };
}

function proofBcs(path: Uint8Array[]) {
  return {
    path: path.map((h) =>
      h.every((b) => b === 0) ? { Empty: true as const } : { Digest: Array.from(h) },
    ),
  };
}

export async function recoverySymbols(
  src: SymbolSource,
  blobId: string,
  q: URLSearchParams,
): Promise<Uint8Array> {
  if (!(await src.view.isRegistered(blobId))) throw sliverUnavailable();
  const { nShards: n } = await src.view.systemState();
  const proofAxis = q.has('proofAxis') ? parseAxis(q.get('proofAxis'), 'proofAxis') : null;
  let ids: { p: number; s: number }[];
  if (q.getAll('id').length > 0) {
    ids = q.getAll('id').map((text) => {
      const m = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(text);
      if (!m)
        throw new FrameworkRejection(
          400,
          'Failed to deserialize query string: failed to parse a symbol ID from the string',
        );
      return { p: Number(m[1]), s: Number(m[2]) };
    });
    const seen = new Set<string>();
    ids = ids
      .filter(({ p, s }) => !seen.has(`${p}-${s}`) && seen.add(`${p}-${s}`))
      .sort((a, b) => a.p - b.p || a.s - b.s);
  } else if (q.has('targetSliver')) {
    const target = parseIndex(q.get('targetSliver')!, 'targetSliver');
    const targetType = parseAxis(q.get('targetType'), 'targetType');
    const id = blobIdFromString(blobId);
    const shards = (await src.view.self())?.shards ?? [];
    ids = shards.map((shard) => {
      const pair = shardToPairIndex(shard, id, n);
      return targetType === 'primary'
        ? { p: target, s: indexOfPair('secondary', pair, n) }
        : { p: pair, s: target };
    });
  } else {
    throw new FrameworkRejection(
      400,
      'Failed to deserialize query string: data did not match any variant of untagged enum ListRecoverySymbolIdsFilter',
    );
  }
  if (ids.length === 0) throw noSymbolsSpecified();
  const out = [];
  let last: NodeApiError = noSymbolsSpecified();
  for (const { p, s } of ids) {
    if (p >= n) throw indexOutOfRange(p, n, 'recovery symbol');
    if (s >= n) throw indexOutOfRange(s, n, 'recovery symbol');
    // Walrus tries the symbol for a secondary target (from the primary sliver) first.
    const sources: SliverKind[] = proofAxis ? [proofAxis] : ['primary', 'secondary'];
    for (const sourceKind of sources) {
      const r = await symbolFrom(src, blobId, n, sourceKind, p, s);
      if (!('data' in r)) {
        last = r;
        continue;
      }
      const data = { index: r.sourceIndex, data: r.data };
      out.push({
        symbol: r.target === 'primary' ? { Primary: data } : { Secondary: data },
        target_index: r.targetIndex,
        proof: proofBcs(r.proof),
      });
      break;
    }
  }
  if (out.length === 0) throw last;
  return RecoverySymbolsBcs.serialize(out).toBytes();
}

export async function decodingSymbols(
  src: SymbolSource,
  blobId: string,
  q: URLSearchParams,
): Promise<Uint8Array> {
  if (!(await src.view.isRegistered(blobId))) throw sliverUnavailable();
  const targets = q.getAll('targetSlivers').map((t) => parseIndex(t, 'targetSlivers'));
  const targetType = parseAxis(q.get('targetType'), 'targetType');
  if (targets.length === 0)
    throw new FrameworkRejection(
      400,
      'Failed to deserialize query string: missing field `targetSlivers`',
    );
  const { nShards: n } = await src.view.systemState();
  const config = new EncodingConfig(n);
  const boundary =
    targetType === 'primary' ? config.primarySourceSymbols : config.secondarySourceSymbols;
  for (const t of targets)
    if (t >= boundary)
      throw symbolOutOfRange(
        `target sliver index out of range, requested target sliver index ${t}, max source sliver index ${boundary}, requested sliver type ${targetType}`,
      );
  const sourceKind = other(targetType);
  const id = blobIdFromString(blobId);
  const out = new Map<number, unknown[]>();
  for (const shard of (await src.view.self())?.shards ?? []) {
    const pair = shardToPairIndex(shard, id, n);
    const bytes = await src.api.readOwnSliver(blobId, pair, sourceKind);
    if (!bytes) continue;
    const sliver = decodeSliver(bytes);
    const size = sliver.symbolSize;
    for (const t of targets) {
      const data = sliver.data.subarray(t * size, (t + 1) * size);
      const symbol = { index: sliver.index, data };
      (out.get(t) ?? out.set(t, []).get(t)!).push(
        targetType === 'primary' ? { Primary: symbol } : { Secondary: symbol },
      );
    }
  }
  const sorted = new Map([...out.entries()].sort(([a], [b]) => a - b));
  return DecodingSymbolsBcs.serialize(sorted as never).toBytes();
}

/** Parses a recovery-symbols answer and keeps the symbols whose proofs hold. */
export function verifiedRecoverySymbols(
  bytes: Uint8Array,
  metadata: BlobMetadata,
  targetKind: SliverKind,
  targetIndex: number,
): ProvenSymbol[] {
  const n = metadata.hashes.length;
  const symbolSize = new EncodingConfig(n).symbolSize(metadata.unencodedLength);
  const sourceKind = other(targetKind);
  const out: ProvenSymbol[] = [];
  for (const s of RecoverySymbolsBcs.parse(bytes)) {
    const inner = targetKind === 'primary' ? s.symbol.Primary : s.symbol.Secondary;
    if (!inner || s.target_index !== targetIndex || inner.index >= n) continue;
    const data = Uint8Array.from(inner.data);
    if (data.length !== symbolSize) continue;
    const pair = metadata.hashes[pairOf(sourceKind, inner.index, n)]!;
    const root = sourceKind === 'primary' ? pair.primary : pair.secondary;
    const path = s.proof.path.map((node) =>
      node.Digest ? Uint8Array.from(node.Digest) : new Uint8Array(32),
    );
    if (!verifyMerkleProof(root, leafHash(data), targetIndex, path)) continue;
    out.push({ sourceIndex: inner.index, data, proof: path });
  }
  return out;
}

/**
 * The `kind` sliver with index `index`, rebuilt from symbols of the other axis (each at
 * the position of the sliver it came from). Not verified: the caller checks the result.
 */
export function rebuildSliver(
  metadata: BlobMetadata,
  kind: SliverKind,
  index: number,
  symbols: { sourceIndex: number; data: Uint8Array }[],
): Sliver {
  const n = metadata.hashes.length;
  const config = new EncodingConfig(n);
  const k = sourceSymbolCount(kind, config);
  const byPosition = new Map(symbols.map((s) => [s.sourceIndex, s.data]));
  const originals = decodeOriginals(k, n, byPosition);
  const symbolSize = config.symbolSize(metadata.unencodedLength);
  const data = new Uint8Array(k * symbolSize);
  originals.forEach((s, i) => data.set(s, i * symbolSize));
  return { index, symbolSize, data };
}

/** Parses a decoding-symbols answer: for the target sliver `index`, position → symbol. */
export function parsedDecodingSymbols(
  bytes: Uint8Array,
  metadata: BlobMetadata,
  targetKind: SliverKind,
  targetIndex: number,
): { sourceIndex: number; data: Uint8Array }[] {
  const n = metadata.hashes.length;
  const symbolSize = new EncodingConfig(n).symbolSize(metadata.unencodedLength);
  const out: { sourceIndex: number; data: Uint8Array }[] = [];
  for (const [target, list] of DecodingSymbolsBcs.parse(bytes) as Map<
    number,
    {
      Primary?: { index: number; data: number[] | Uint8Array };
      Secondary?: { index: number; data: number[] | Uint8Array };
    }[]
  >) {
    if (target !== targetIndex) continue;
    for (const either of list) {
      const inner = targetKind === 'primary' ? either.Primary : either.Secondary;
      if (!inner || inner.index >= n || inner.data.length !== symbolSize) continue;
      out.push({ sourceIndex: inner.index, data: Uint8Array.from(inner.data) });
    }
  }
  return out;
}
