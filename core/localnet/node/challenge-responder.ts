/**
 * Answering a storage challenge: prove possession of one primary sliver by sending the
 * pair's hashes with their Merkle path to the blob's root, and the challenged symbol of
 * the sliver's expanded row with its path to the primary hash. Only the sliver's data
 * yields that symbol: a node that lost or corrupted it cannot answer correctly.
 */
import type { ChallengeAnswer } from '../ledger/wire.js';
import {
  decodeMetadataWithId,
  decodeSliver,
  EncodingConfig,
  expandSliver,
  leafHash,
  merkleProof,
} from '../../walrus/encoding/index.js';
import type { SliverStore } from './sliver-store.js';

export interface Challenge {
  challengeId: string;
  blobId: string;
  pairIndex: number;
  symbolIndex: number;
}

export class SliverMissingError extends Error {
  constructor(c: Challenge) {
    super(
      `challenge ${c.challengeId}: this node holds no primary sliver of pair ${c.pairIndex} of blob ${c.blobId}`,
    );
    this.name = 'SliverMissingError';
  }
}

export async function proveChallenge(store: SliverStore, c: Challenge): Promise<ChallengeAnswer> {
  const metadataBytes = await store.getMetadata(c.blobId);
  const sliverBytes = await store.getSliver(c.blobId, c.pairIndex, 'primary');
  if (!metadataBytes || !sliverBytes) throw new SliverMissingError(c);
  const { metadata } = decodeMetadataWithId(metadataBytes);
  const pairLeaves = metadata.hashes.map((h) =>
    leafHash(Uint8Array.from([...h.primary, ...h.secondary])),
  );
  const pair = metadata.hashes[c.pairIndex]!;
  const expanded = expandSliver(
    'primary',
    decodeSliver(sliverBytes),
    new EncodingConfig(metadata.hashes.length),
  );
  const symbolLeaves = expanded.map(leafHash);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return {
    challengeId: c.challengeId,
    primaryHash: hex(pair.primary),
    secondaryHash: hex(pair.secondary),
    pairProof: merkleProof(pairLeaves, c.pairIndex).map(hex),
    symbol: Buffer.from(expanded[c.symbolIndex]!).toString('base64'),
    symbolProof: merkleProof(symbolLeaves, c.symbolIndex).map(hex),
  };
}
