/**
 * Keeping backups alive (DESIGN §6). A blob is live while the backups need it — a pack
 * that still holds live chunks, a retained snapshot, an index blob a retained snapshot
 * lists. Every live blob whose storage ends within `windowEpochs` is extended by
 * `termEpochs` (capped by how far ahead the network sells storage); dead deletable blobs
 * are deleted so their storage stops costing and returns to the account; dead permanent
 * ones are left to expire. Every decision is logged in the index, failures included — a
 * short balance is an error the user sees, not a silent expiry.
 */
import type { Index, RenewalRecord } from '../index/index.js';
import type { BlobObject, SystemState } from '../walrus/chain/chain.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { APP_TAG } from './attributes.js';
import {
  faceLapsedStorage,
  lapsedBlobs,
  LIVE_INDEX_BLOBS,
  type LapseReport,
} from './lapsed-storage.js';
import { recoverInterruptedStores, referencedBlobIds } from './recovery.js';

export { LIVE_INDEX_BLOBS };

export interface RenewalPolicy {
  /** Extend blobs whose storage ends within this many epochs. */
  windowEpochs: number;
  /** How many epochs to extend by. */
  termEpochs: number;
}

export const DEFAULT_RENEWAL: RenewalPolicy = { windowEpochs: 2, termEpochs: 5 };

export type RenewalAction =
  | { action: 'extend'; blob: BlobObject; epochs: number; reason: string }
  | { action: 'delete'; blob: BlobObject; reason: string };

/** Blob ids the backups still need, from the local index. */
export function liveBlobIds(index: Index): Set<string> {
  const live = new Set<string>(index.getSetting<string[]>(LIVE_INDEX_BLOBS, []));
  for (const p of index.packs())
    if (p.blobId && p.state === 'certified' && p.liveBytes > 0) live.add(p.blobId);
  for (const s of index.snapshots()) {
    if (!s.retained) continue;
    if (s.blobId) live.add(s.blobId);
    for (const id of s.record.indexBlobs) live.add(id);
  }
  return live;
}

/** What renewal would do now; pure, so `floe renew --dry-run` shows exactly this. */
export function planRenewals(
  state: SystemState,
  blobs: BlobObject[],
  live: Set<string>,
  known: Set<string>,
  policy: RenewalPolicy,
): RenewalAction[] {
  const plan: RenewalAction[] = [];
  for (const blob of blobs) {
    if (
      blob.attributes.app !== APP_TAG ||
      blob.state !== 'certified' ||
      blob.endEpoch <= state.epoch
    )
      continue;
    const left = blob.endEpoch - state.epoch;
    if (live.has(blob.blobId)) {
      if (left > policy.windowEpochs) continue;
      const epochs = Math.min(policy.termEpochs, state.maxEpochsAhead - left);
      if (epochs < 1) continue;
      plan.push({
        action: 'extend',
        blob,
        epochs,
        reason: `ends in ${left} epoch${left === 1 ? '' : 's'}`,
      });
    } else if (blob.deletable && known.has(blob.blobId)) {
      // Only blobs this index knows to be dead: one it has never heard of may belong to
      // another machine backing up with the same phrase, so it is left to expire.
      plan.push({ action: 'delete', blob, reason: 'no retained backup needs it' });
    }
  }
  return plan;
}

export interface RenewalReport {
  epoch: number;
  extended: number;
  deleted: number;
  costFrost: bigint;
  errors: string[];
  nextExpiryEpoch: number | null;
  /** Storage the backups needed that had already ended (see lapsed-storage.ts). */
  lapsed: LapseReport | null;
}

export async function runRenewals(
  client: WalrusClient,
  index: Index,
  policy: RenewalPolicy = DEFAULT_RENEWAL,
  dryRun = false,
): Promise<RenewalReport & { plan: RenewalAction[] }> {
  if (!dryRun) await recoverInterruptedStores(index, client);
  const state = await client.chain.systemState();
  const blobs = await client.listOwned();
  const plan = planRenewals(state, blobs, liveBlobIds(index), referencedBlobIds(index), policy);
  const report: RenewalReport = {
    epoch: state.epoch,
    extended: 0,
    deleted: 0,
    costFrost: 0n,
    errors: [],
    nextExpiryEpoch: null,
    lapsed: null,
  };
  if (dryRun) {
    const lapsed = lapsedBlobs(index, blobs, state.epoch);
    if (lapsed.length)
      report.lapsed = {
        blobs: lapsed.length,
        lastEndEpoch: Math.max(...lapsed.map((l) => l.blob.endEpoch)),
      };
  } else {
    // Looked up once: a renewal can extend thousands of packs.
    const packByBlob = new Map(index.packs().map((p) => [p.blobId, p]));
    for (const step of plan) {
      const log: RenewalRecord = {
        time: Date.now(),
        epoch: state.epoch,
        objectId: step.blob.objectId,
        blobId: step.blob.blobId,
        action: step.action,
        epochs: step.action === 'extend' ? step.epochs : null,
        costFrost: null,
        reason: step.reason,
      };
      try {
        if (step.action === 'extend') {
          const r = await client.chain.extendBlob(step.blob.objectId, step.epochs);
          step.blob.endEpoch = r.blob.endEpoch;
          log.costFrost = r.cost;
          report.costFrost += BigInt(r.cost);
          report.extended++;
          const pack = packByBlob.get(step.blob.blobId);
          if (pack) index.setPackState(pack.id, pack.state, { endEpoch: r.blob.endEpoch });
        } else {
          await client.chain.deleteBlob(step.blob.objectId);
          step.blob.state = 'deleted';
          const pack = packByBlob.get(step.blob.blobId);
          if (pack?.state === 'dead') index.setPackState(pack.id, 'deleted');
          report.deleted++;
        }
      } catch (error) {
        const message = `${step.action} ${step.blob.blobId}: ${(error as Error).message}`;
        report.errors.push(message);
        log.action = 'error';
        log.reason = message;
      }
      index.logRenewal(log);
    }
    // After extending: what is still due now could not be extended, and may lapse first.
    report.lapsed = faceLapsedStorage(index, state, blobs, policy);
  }
  const live = liveBlobIds(index);
  const ends = blobs
    .filter((b) => live.has(b.blobId) && b.state === 'certified')
    .map((b) => b.endEpoch);
  report.nextExpiryEpoch = ends.length ? Math.min(...ends) : null;
  return { ...report, plan };
}

export type RenewalRun = RenewalReport & { plan: RenewalAction[] };

/**
 * What every command that stores runs around its work (`floe backup`, `floe forget`):
 * renewal first, so that what is due is extended before deduplication decides what it
 * may build on (a pack ending within the window is not built on, and would be stored
 * again), then the work, then renewal again for the blobs the work just bought (a short
 * term, or a store that crossed an epoch change). The engine behind `floe watch` and the
 * desktop app renews through `runRenewals` on its own schedule, before and after each
 * backup too.
 */
export async function withRenewal<T>(
  client: WalrusClient,
  index: Index,
  policy: RenewalPolicy,
  work: () => Promise<T>,
): Promise<{ result: T; renewals: RenewalRun[] }> {
  const before = await runRenewals(client, index, policy);
  const result = await work();
  const after = await runRenewals(client, index, policy);
  return { result, renewals: [before, after] };
}
