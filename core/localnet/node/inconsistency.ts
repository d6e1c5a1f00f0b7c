/**
 * Inconsistency proofs (walrus-core `inconsistency.rs`): a node that rebuilt a sliver from
 * proven symbols and found its Merkle root differs from the metadata shows the symbols;
 * any node can check them and sign that the blob id is invalid (an `InvalidBlobIdMsg`,
 * which the chain would accept from a quorum).
 */
import { bcs } from '@mysten/sui/bcs';
import {
  blobIdFromString,
  EncodingConfig,
  equalBytes,
  leafHash,
  sliverHash,
  sourceSymbolCount,
  verifyMerkleProof,
  type BlobMetadata,
  type SliverKind,
} from '../../walrus/encoding/index.js';
import { blsSign } from '../../walrus/protocol/bls.js';
import { invalidProof, metadataMissing, notBcs } from './api-errors.js';
import { RecoverySymbolBcs, rebuildSliver } from './symbols.js';

const InconsistencyProofBcs = bcs.struct('InconsistencyProof', {
  target_sliver_index: bcs.u16(),
  recovery_symbols: bcs.vector(RecoverySymbolBcs),
});

/** Intent type 2 (invalid blob id), version 0, app id 3 (storage). */
const InvalidBlobIdBcs = bcs.struct('ProtocolMessage<BlobId>', {
  intent_type: bcs.u8(),
  intent_version: bcs.u8(),
  intent_app_id: bcs.u8(),
  epoch: bcs.u32(),
  blob_id: bcs.fixedArray(32, bcs.u8()),
});

export function inconsistencyAttestation(
  metadata: BlobMetadata | null,
  blobId: string,
  kind: SliverKind,
  body: Uint8Array,
  epoch: number,
  blsSecretKey: Uint8Array,
): { serializedMessage: string; signature: string } {
  let proof: ReturnType<typeof InconsistencyProofBcs.parse>;
  try {
    proof = InconsistencyProofBcs.parse(body);
    if (InconsistencyProofBcs.serialize(proof).toBytes().length !== body.length)
      throw new Error('trailing bytes');
  } catch {
    throw notBcs();
  }
  if (!metadata) throw metadataMissing();
  const n = metadata.hashes.length;
  const config = new EncodingConfig(n);
  const expected = sourceSymbolCount(kind, config);
  const symbols = proof.recovery_symbols;
  if (symbols.length !== expected)
    throw invalidProof(
      `the number of recovery symbols is incorrect (expected: ${expected}, actual: ${symbols.length})`,
    );
  const target = proof.target_sliver_index;
  const symbolSize = config.symbolSize(metadata.unencodedLength);
  const sourceKind: SliverKind = kind === 'primary' ? 'secondary' : 'primary';
  const proven = symbols.map((s) => {
    const data = Uint8Array.from(s.symbol.data);
    const source = s.symbol.index;
    const pair = sourceKind === 'primary' ? source : n - 1 - source;
    const hashes = source < n ? metadata.hashes[pair] : undefined;
    const root = hashes && (sourceKind === 'primary' ? hashes.primary : hashes.secondary);
    const path = s.proof.path.map((node) =>
      node.Digest ? Uint8Array.from(node.Digest) : new Uint8Array(32),
    );
    const ok =
      root !== undefined &&
      data.length === symbolSize &&
      target < n &&
      verifyMerkleProof(root, leafHash(data), target, path);
    if (!ok) throw invalidProof('some recovery symbols are invalid');
    return { sourceIndex: source, data };
  });
  let rebuilt;
  try {
    rebuilt = rebuildSliver(metadata, kind, target, proven);
  } catch {
    throw invalidProof('no sliver can be decoded from the recovery symbols');
  }
  const pair = metadata.hashes[kind === 'primary' ? target : n - 1 - target]!;
  const committed = kind === 'primary' ? pair.primary : pair.secondary;
  if (equalBytes(sliverHash(kind, rebuilt, config), committed))
    throw invalidProof('the target sliver is consistent with the metadata');
  const message = InvalidBlobIdBcs.serialize({
    intent_type: 2,
    intent_version: 0,
    intent_app_id: 3,
    epoch,
    blob_id: Array.from(blobIdFromString(blobId)),
  }).toBytes();
  return {
    serializedMessage: Buffer.from(message).toString('base64'),
    signature: Buffer.from(blsSign(blsSecretKey, message)).toString('base64'),
  };
}
