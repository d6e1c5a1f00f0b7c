/**
 * The proof behind a snapshot: for every blob that holds it, what the chain records — the
 * Blob object (certified epoch, storage end, deletable) and its certify transaction (who
 * signed, holding how many shards against the contract's quorum) — each certificate
 * checked here again as the contract checks it (message for this blob, epoch and
 * persistence; the signers' aggregate BLS signature under that epoch's committee keys).
 * Beside it, what this machine's own store saw, which a new machine does not have.
 *
 * What it proves: storage nodes holding a quorum of shards signed, in that epoch, that
 * they held their slivers of exactly this blob, and the chain holds the blob's storage
 * until its end epoch. What it does not: that they still hold them now (the spot-check,
 * spot-check.ts, asks), or that the signing keys belong to independent operators.
 */
import type { Index } from '../index/index.js';
import type {
  BlobObject,
  CertificationRecord,
  CertifyingMember,
  ReadChain,
  SystemState,
} from '../walrus/chain/chain.js';
import { explorerLinks } from '../walrus/chain/networks.js';
import { blobIdToString } from '../walrus/encoding/blob-id.js';
import { weightedCertificateProblem } from '../walrus/protocol/certificate.js';
import { parseConfirmationMessage } from '../walrus/protocol/confirmation.js';
import { quorumWeight } from '../walrus/protocol/quorum.js';
import { nodesAlwaysEnough, readThreshold } from '../walrus/protocol/recoverability.js';
import { liveBlobIds } from './renewals.js';
import type { WalrusClient } from '../walrus/client/client.js';
import type { RepoReader } from './repo-reader.js';
import { snapshotBlobs, type SnapshotBlobs } from './snapshot-blobs.js';

export type ProofBlobKind = 'snapshot' | 'index' | 'pack';

export interface CertificateProof {
  txDigest: string;
  txUrl: string | null;
  epoch: number;
  signers: { nodeId: string; name: string; shards: number | null }[];
  /** Shards the signers held (null when the committee of that epoch is not on chain any more). */
  signerShards: number | null;
  quorumShards: number;
  /**
   * `verified`: message and signature checked here against the chain's committee;
   * `signers-unchecked`: the message is right but the committee of that epoch could not be
   * read, so only the contract (which certified it) vouches for the signature;
   * `invalid`: the check failed (the reason says how).
   */
  check: 'verified' | 'signers-unchecked' | 'invalid';
  problem: string | null;
}

export interface BlobProof {
  kind: ProofBlobKind;
  blobId: string;
  objectId: string | null;
  objectUrl: string | null;
  /** For packs: how many of the snapshot's trees and file chunks it holds. */
  holds: { trees: number; chunks: number } | null;
  size: number | null;
  state: BlobObject['state'] | 'missing';
  certifiedEpoch: number | null;
  endEpoch: number | null;
  /** When its storage ends (ms): the start of its end epoch, at today's epoch length. */
  endsAt: number | null;
  deletable: boolean | null;
  /** Renewal extends it while a retained snapshot needs it. */
  renewed: boolean;
  /** What the chain records; null when it has no certify transaction for it. */
  certificate: CertificateProof | null;
  /** What this machine's store saw certify it; null when another machine stored it. */
  seenHere: { epoch: number; signerNodeIds: string[]; txDigest: string; agrees: boolean } | null;
}

export interface SnapshotProof {
  snapshot: { id: string; time: string };
  network: string;
  epoch: number;
  nShards: number;
  /** Shards whose primary slivers rebuild a blob (n − 2f), and a certificate's quorum. */
  readShards: number;
  quorumShards: number;
  nodes: number;
  /** Whichever they are, this many of today's nodes hold enough to rebuild. */
  nodesEnough: number | null;
  blobs: BlobProof[];
  /** Chunks the snapshot names that no index blob lists. */
  unlocated: number;
  summary: {
    blobs: number;
    certified: number;
    verified: number;
    /** Storage of every blob lasts at least until then (the earliest end). */
    guaranteedUntilEpoch: number | null;
    guaranteedUntil: number | null;
    renewedAutomatically: boolean;
    /** Every blob certified and its certificate checked here from the chain alone. */
    complete: boolean;
  };
  /** Plain sentences: what was checked here, and what this proof does not say. */
  checked: string[];
  notChecked: string[];
}

export interface ProofContext {
  index: Index;
  chain: ReadChain;
  /** The account's Blob objects (one listing serves every blob). */
  owned: BlobObject[];
  /** localnet, testnet or mainnet: where the explorer links point. */
  network: string;
}

/**
 * The proof of one snapshot, from the chain and the blobs alone (plus what this machine
 * saw, when it stored them): its blobs found through `reader`, each proven.
 */
export async function proveSnapshot(
  ctx: Omit<ProofContext, 'owned'> & { client: WalrusClient; reader: RepoReader },
  snapshot: { id: string; time: string; blobId: string | null; roots: { tree: string }[] },
  known?: SnapshotBlobs,
): Promise<SnapshotProof> {
  const blobs = known ?? (await snapshotBlobs(ctx.reader, snapshot));
  const owned = await ctx.client.listOwned();
  return snapshotProof({ ...ctx, owned }, snapshot, blobs);
}

export async function snapshotProof(
  ctx: ProofContext,
  snapshot: { id: string; time: string },
  blobs: SnapshotBlobs,
): Promise<SnapshotProof> {
  const state = await ctx.chain.systemState();
  const byId = new Map<string, BlobObject>();
  for (const b of ctx.owned)
    if (b.state === 'certified' || !byId.has(b.blobId)) byId.set(b.blobId, b);
  const live = liveBlobIds(ctx.index);
  const wanted: { kind: ProofBlobKind; blobId: string; holds: BlobProof['holds'] }[] = [
    ...(blobs.snapshotBlobId
      ? [{ kind: 'snapshot' as const, blobId: blobs.snapshotBlobId, holds: null }]
      : []),
    ...blobs.indexBlobIds.map((blobId) => ({ kind: 'index' as const, blobId, holds: null })),
    ...[...blobs.packs].map(([blobId, holds]) => ({ kind: 'pack' as const, blobId, holds })),
  ];
  const links = explorerLinks(ctx.network);
  const proofs = await mapLimited(wanted, 8, (w) =>
    blobProof(ctx, state, byId.get(w.blobId) ?? null, w, live.has(w.blobId), links),
  );
  const ends = proofs.filter((p) => p.endEpoch !== null).map((p) => p.endEpoch!);
  const until = ends.length ? Math.min(...ends) : null;
  const verified = proofs.filter((p) => p.certificate?.check === 'verified').length;
  return {
    snapshot,
    network: ctx.network,
    epoch: state.epoch,
    nShards: state.nShards,
    readShards: readThreshold(state.nShards),
    quorumShards: quorumWeight(state.nShards),
    nodes: state.committee.filter((m) => m.shards.length > 0).length,
    nodesEnough: nodesAlwaysEnough(
      state.committee.map((m) => m.shards.length),
      state.nShards,
    ),
    blobs: proofs,
    unlocated: blobs.unlocated,
    summary: {
      blobs: proofs.length,
      certified: proofs.filter((p) => p.state === 'certified').length,
      verified,
      guaranteedUntilEpoch: until,
      guaranteedUntil: until === null ? null : epochStart(state, until),
      renewedAutomatically: proofs.every((p) => p.renewed),
      complete: blobs.unlocated === 0 && proofs.length > 0 && verified === proofs.length,
    },
    ...explanation(ctx.network),
  };
}

async function blobProof(
  ctx: ProofContext,
  state: SystemState,
  blob: BlobObject | null,
  w: { kind: ProofBlobKind; blobId: string; holds: BlobProof['holds'] },
  renewed: boolean,
  links: ReturnType<typeof explorerLinks>,
): Promise<BlobProof> {
  const seen = ctx.index.certificationSeen(w.blobId);
  const record = blob ? await ctx.chain.certification(blob) : null;
  const certificate = blob && record ? checkCertificate(blob, record, state.nShards, links) : null;
  return {
    kind: w.kind,
    blobId: w.blobId,
    objectId: blob?.objectId ?? null,
    objectUrl: blob && links ? links.object(blob.objectId) : null,
    holds: w.holds,
    size: blob?.size ?? null,
    state: blob?.state ?? 'missing',
    certifiedEpoch: blob?.certifiedEpoch ?? null,
    endEpoch: blob?.endEpoch ?? null,
    endsAt: blob ? epochStart(state, blob.endEpoch) : null,
    deletable: blob?.deletable ?? null,
    renewed,
    certificate,
    seenHere: seen
      ? {
          epoch: seen.epoch,
          signerNodeIds: seen.signerNodeIds,
          txDigest: seen.txDigest,
          agrees: certificate
            ? seen.txDigest === certificate.txDigest &&
              sameSet(
                seen.signerNodeIds,
                certificate.signers.map((s) => s.nodeId),
              )
            : false,
        }
      : null,
  };
}

/** The contract's own checks of a certificate, made again over what the chain returned. */
function checkCertificate(
  blob: BlobObject,
  r: CertificationRecord,
  nShards: number,
  links: ReturnType<typeof explorerLinks>,
): CertificateProof {
  const members: (CertifyingMember | undefined)[] = r.signers.map((i) => r.committee?.[i]);
  const base = {
    txDigest: r.txDigest,
    txUrl: links ? links.transaction(r.txDigest) : null,
    epoch: r.epoch,
    signers: r.signers.map((i, k) => ({
      nodeId: members[k]?.nodeId ?? `member ${i}`,
      name: members[k]?.name || members[k]?.nodeId || `committee member ${i}`,
      shards: members[k]?.weight ?? null,
    })),
    signerShards: r.committee ? members.reduce((n, m) => n + (m?.weight ?? 0), 0) : null,
    quorumShards: quorumWeight(nShards),
  };
  const problem = messageProblem(blob, r) ?? signatureProblem(r, nShards);
  if (problem) return { ...base, check: 'invalid', problem };
  if (!r.committee) return { ...base, check: 'signers-unchecked', problem: null };
  return { ...base, check: 'verified', problem: null };
}

function messageProblem(blob: BlobObject, r: CertificationRecord): string | null {
  let m;
  try {
    m = parseConfirmationMessage(r.message);
  } catch (error) {
    return (error as Error).message;
  }
  if (blobIdToString(m.blobId) !== blob.blobId) return 'the certificate is for another blob';
  if (m.epoch !== r.epoch) return `it was signed in epoch ${m.epoch}, certified in ${r.epoch}`;
  if (blob.certifiedEpoch !== null && blob.certifiedEpoch !== r.epoch)
    return `the Blob object says certified in epoch ${blob.certifiedEpoch}, the transaction ran in ${r.epoch}`;
  const persistence = blob.deletable
    ? m.persistence.deletable && m.persistence.objectId === blob.objectId
    : !m.persistence.deletable;
  if (!persistence) return 'its persistence (deletable or permanent) does not match the blob';
  return null;
}

/** The contract's check (quorum of shards, aggregate signature), where the committee is known. */
function signatureProblem(r: CertificationRecord, nShards: number): string | null {
  if (!r.committee) return null;
  return weightedCertificateProblem(r.committee, nShards, r.signers, r.message, r.signature);
}

/** When epoch `epoch` starts, at today's epoch length: a blob ending then is readable until it. */
export function epochStart(state: SystemState, epoch: number): number {
  return state.epochStartedAt + (epoch - state.epoch) * state.epochDurationMs;
}

function explanation(network: string): { checked: string[]; notChecked: string[] } {
  const checked = [
    'Each blob is a Blob object on chain, owned by this account, with its certified epoch, storage end epoch and whether it can be deleted.',
    'Each certificate was read back from its certify transaction on chain: its message names exactly this blob, the epoch and the blob’s persistence, and the signers’ aggregate BLS signature verifies under their public keys in that epoch’s committee, holding a quorum of shards — the check the Walrus contract made before it certified the blob.',
  ];
  const notChecked = [
    'That the storage nodes still hold the slivers today: a certificate is a promise made when the blob was stored. “Check now” (the spot-check) asks them.',
    'That the signing keys belong to independent operators: the chain knows keys and stake, not who runs them.',
    'Node names are labels the operators chose; only keys and shards are part of the proof.',
  ];
  if (network === 'localnet')
    notChecked.unshift(
      'On the local test network the “chain” is a ledger running on this computer, and every storage node too: nothing here is independent of this machine. On testnet or mainnet the same checks run against Sui.',
    );
  else
    notChecked.push(
      'A Sui full node that pruned old object versions cannot give the committee of an old epoch; those signers are then shown by index and only the contract’s check vouches for them.',
    );
  return { checked, notChecked };
}

function sameSet(a: string[], b: string[]): boolean {
  const x = new Set(a);
  return x.size === new Set(b).size && b.every((v) => x.has(v));
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
