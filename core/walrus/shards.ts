/**
 * Which shard stores which sliver pair of a blob. Walrus rotates the assignment by the
 * blob id (walrus-core `encoding/mapping.rs`), so the systematic slivers of different
 * blobs — the ones that make decoding cheap — land on different shards and no node
 * serves every blob's fast path.
 */

/** The blob id read as a big-endian number, modulo `nShards`. */
export function rotationOffset(blobId: Uint8Array, nShards: number): number {
  let acc = 0;
  for (const byte of blobId) acc = (acc * 256 + byte) % nShards;
  return acc;
}

export function pairIndexToShard(pairIndex: number, blobId: Uint8Array, nShards: number): number {
  return (pairIndex + rotationOffset(blobId, nShards)) % nShards;
}

export function shardToPairIndex(shard: number, blobId: Uint8Array, nShards: number): number {
  return (nShards + shard - rotationOffset(blobId, nShards)) % nShards;
}
