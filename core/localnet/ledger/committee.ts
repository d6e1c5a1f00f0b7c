/**
 * Shards follow stake: each node gets a share of the n shards proportional to its stake
 * (largest remainders break ties), and when stake moves, only the shards that must move
 * do — a moved shard costs its new node a full recovery of that shard's slivers.
 */

/** Target shard count per node, summing to nShards. */
export function shardTargets(nShards: number, stakes: bigint[]): number[] {
  const total = stakes.reduce((a, b) => a + b, 0n);
  if (total === 0n) throw new RangeError('the committee has no stake');
  const exact = stakes.map((s) => (s * BigInt(nShards) * 1_000_000n) / total);
  const targets = exact.map((e) => Number(e / 1_000_000n));
  let left = nShards - targets.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, remainder: e % 1_000_000n }))
    .sort((a, b) => (b.remainder > a.remainder ? 1 : b.remainder < a.remainder ? -1 : a.i - b.i));
  for (const { i } of order) {
    if (left === 0) break;
    targets[i]!++;
    left--;
  }
  return targets;
}

/**
 * New owner of every shard. `previous[s]` is the node holding shard s (or undefined at
 * genesis); nodes keep their shards up to their target and give up the highest-numbered
 * surplus ones, which go to nodes below target in order.
 */
export function assignShards(nShards: number, stakes: bigint[], previous?: number[]): number[] {
  const targets = shardTargets(nShards, stakes);
  const owner = new Array<number>(nShards).fill(-1);
  const held = targets.map(() => 0);
  if (previous) {
    for (let s = 0; s < nShards; s++) {
      const node = previous[s];
      if (node !== undefined && node < targets.length && held[node]! < targets[node]!) {
        owner[s] = node;
        held[node]!++;
      }
    }
  }
  let node = 0;
  for (let s = 0; s < nShards; s++) {
    if (owner[s] !== -1) continue;
    while (held[node]! >= targets[node]!) node++;
    owner[s] = node;
    held[node]!++;
  }
  return owner;
}
