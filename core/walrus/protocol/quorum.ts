/**
 * When signers are enough: the rule of Walrus's `bls_aggregate.move` (`is_quorum`), which
 * the contract applies to certificates and, in `staking_inner.move`, to price and capacity
 * votes and to the nodes that report an epoch change synced. Weight is counted in shards.
 * It equals the textbook 2f + 1 only when n = 3f + 1 (at n = 5, 2f + 1 is 3 and the
 * contract needs 4); in general it is n − f, so up to f shards may stay silent.
 */

/** True when signers holding `weight` of `nShards` shards are a quorum: 3w ≥ 2n + 1. */
export function isQuorum(weight: number, nShards: number): boolean {
  return 3 * weight >= 2 * nShards + 1;
}

/** The least weight that is a quorum under `isQuorum`: ⌈(2n + 1) / 3⌉. */
export function quorumWeight(nShards: number): number {
  return Math.ceil((2 * nShards + 1) / 3);
}
