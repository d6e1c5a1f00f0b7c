/**
 * The check the Walrus contract makes of a confirmation certificate before it certifies
 * a blob: distinct committee members as signers, holding a quorum of shards, whose
 * aggregate BLS signature verifies over the message. Shared by the localnet ledger (which
 * is the contract there) and the client (which will not pay to certify with a certificate
 * an upload relay made up).
 */
import type { CommitteeMember } from '../chain/chain.js';
import { blsVerifyAggregate } from './bls.js';
import { isQuorum, quorumWeight } from './quorum.js';

/** Why the certificate would be refused, or null when it holds. */
export function certificateProblem(
  committee: CommitteeMember[],
  nShards: number,
  signers: unknown,
  message: Uint8Array,
  signature: Uint8Array,
): string | null {
  return weightedCertificateProblem(
    committee.map((m) => ({ blsPublicKey: m.blsPublicKey, weight: m.shards.length })),
    nShards,
    signers,
    message,
    signature,
  );
}

/** The same check over members given by key and weight (a committee read back from the chain). */
export function weightedCertificateProblem(
  committee: { blsPublicKey: string; weight: number }[],
  nShards: number,
  signers: unknown,
  message: Uint8Array,
  signature: Uint8Array,
): string | null {
  if (!Array.isArray(signers) || new Set(signers).size !== signers.length)
    return 'signers must be distinct committee indices';
  let weight = 0;
  const keys: Uint8Array[] = [];
  for (const index of signers as unknown[]) {
    const member = Number.isInteger(index) ? committee[index as number] : undefined;
    if (!member) return `signer ${String(index)} is not a committee member`;
    weight += member.weight;
    keys.push(new Uint8Array(Buffer.from(member.blsPublicKey, 'hex')));
  }
  if (!isQuorum(weight, nShards))
    return `signers hold ${weight} shards, ${quorumWeight(nShards)} are needed`;
  if (!blsVerifyAggregate(keys, message, signature))
    return 'the aggregate signature does not verify';
  return null;
}
