/**
 * How close a blob is to being lost. Walrus rebuilds a blob from the primary slivers of
 * n − 2f shards (walrus-core's `n_primary_source_symbols`: a read needs that many, any
 * of them), so what matters is shards, not nodes: a node holding many shards counts for
 * many. "How many more nodes could fail" is asked of the worst case, the largest
 * remaining nodes failing first.
 */

/** Shards whose primary slivers rebuild a blob: n − 2f, with f = ⌊(n − 1) / 3⌋. */
export function readThreshold(nShards: number): number {
  return nShards - 2 * Math.floor((nShards - 1) / 3);
}

/**
 * The fewest nodes that are always enough to rebuild, whichever they are: the smallest k
 * such that even the k nodes holding the fewest shards hold the read threshold.
 */
export function nodesAlwaysEnough(shardsPerNode: number[], nShards: number): number | null {
  const need = readThreshold(nShards);
  const ascending = [...shardsPerNode].sort((a, b) => a - b);
  let held = 0;
  for (const [i, shards] of ascending.entries()) {
    held += shards;
    if (held >= need) return i + 1;
  }
  return null;
}

/**
 * How many of the nodes still serving (their shard counts) could fail, the largest first,
 * with the rest still holding the read threshold; −1 when they already do not.
 */
export function failuresTolerated(servingShards: number[], nShards: number): number {
  const need = readThreshold(nShards);
  const descending = [...servingShards].sort((a, b) => b - a);
  let held = descending.reduce((n, s) => n + s, 0);
  if (held < need) return -1;
  let failures = 0;
  for (const shards of descending) {
    if (held - shards < need) break;
    held -= shards;
    failures++;
  }
  return failures;
}
