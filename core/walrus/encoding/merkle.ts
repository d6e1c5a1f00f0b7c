/**
 * Walrus's Merkle tree (walrus-core `merkle.rs`): Blake2b-256, leaves hashed with a 0x00
 * prefix and inner nodes with 0x01 so a leaf can never pose as an inner node, a level of
 * odd width padded with the all-zero "empty" node, and an empty tree whose root is that
 * empty node.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { DIGEST_LENGTH } from './config.js';

const LEAF_PREFIX = Uint8Array.of(0);
const INNER_PREFIX = Uint8Array.of(1);
export const EMPTY_NODE = new Uint8Array(DIGEST_LENGTH);

export function leafHash(input: Uint8Array): Uint8Array {
  return blake2b.create({ dkLen: DIGEST_LENGTH }).update(LEAF_PREFIX).update(input).digest();
}

function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return blake2b
    .create({ dkLen: DIGEST_LENGTH })
    .update(INNER_PREFIX)
    .update(left)
    .update(right)
    .digest();
}

/** All levels of the tree, leaves first; the last level holds the root. */
function levels(leafHashes: Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [leafHashes];
  let level = leafHashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(innerHash(level[i]!, level[i + 1] ?? EMPTY_NODE));
    out.push(next);
    level = next;
  }
  return out;
}

export function merkleRootOfLeafHashes(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_NODE;
  return levels(leafHashes).at(-1)![0]!;
}

export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  return merkleRootOfLeafHashes(leaves.map(leafHash));
}

/** Sibling hashes from the leaf up to (not including) the root. */
export function merkleProof(leafHashes: Uint8Array[], index: number): Uint8Array[] {
  if (index < 0 || index >= leafHashes.length)
    throw new RangeError(`leaf ${index} is out of bounds`);
  const path: Uint8Array[] = [];
  let i = index;
  for (const level of levels(leafHashes).slice(0, -1)) {
    path.push(level[i ^ 1] ?? EMPTY_NODE);
    i >>>= 1;
  }
  return path;
}

export function verifyMerkleProof(
  root: Uint8Array,
  leafHashValue: Uint8Array,
  index: number,
  path: Uint8Array[],
): boolean {
  let node = leafHashValue;
  let i = index;
  for (const sibling of path) {
    node = i % 2 === 0 ? innerHash(node, sibling) : innerHash(sibling, node);
    i >>>= 1;
  }
  return i === 0 && equalBytes(node, root);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
