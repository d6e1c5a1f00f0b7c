/**
 * What `floe status` (and later the API and the tray) shows: the folders and their state,
 * work left in the journal, the last snapshot, and the money side — the next expiry of a
 * live blob, the WAL balance, what keeping the live blobs costs per epoch, and the last
 * renewal decisions, failures included.
 */
import { lastSpotCheck } from './spot-check-schedule.js';
import type { FolderRow, Index, RenewalRecord } from '../index/index.js';
import type { BlobObject } from '../walrus/chain/chain.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { readSettings } from '../index/settings.js';
import { lapsedBlobs, type LapsedBlob, type LapseReport } from './lapsed-storage.js';
import { liveBlobIds } from './renewals.js';

const MiB = 1024 * 1024;

export interface StorageStatus {
  epoch: number;
  epochDurationMs: number;
  epochEndsAt: number;
  liveBlobs: number;
  /** Encoded bytes the network stores for the live blobs. */
  liveStorageBytes: number;
  nextExpiryEpoch: number | null;
  /** FROST per epoch to keep every live blob. */
  costPerEpochFrost: string;
  walFrost: string;
  suiMist: string;
  /** Whole epochs the balance pays for at the current cost (null when nothing costs). */
  epochsAffordable: number | null;
  /** Storage paid for that holds no blob (left by deletes and interrupted stores); new stores use it first. */
  unusedStorage: { resources: number; bytes: number };
}

export interface FloeStatus {
  folders: FolderRow[];
  pendingJournal: number;
  lastSnapshot: { id: string; time: string; files: number } | null;
  lastRenewal: RenewalRecord | null;
  renewalFailures: RenewalRecord[];
  /** Null when the network could not be reached; `networkError` says why. */
  storage: StorageStatus | null;
  networkError: string | null;
  /** Storage the retained backups need that has already ended (see lapsed-storage.ts). */
  lapsed: LapseReport | null;
  /**
   * Live storage ends within the renewal window and nothing is running that would renew
   * it (a cron user between runs): someone must run `floe renew` or `floe backup`.
   */
  unrenewed: { endEpoch: number; epochsLeft: number } | null;
  /**
   * The last spot-check found data closer to loss than the `spotCheck.warnMarginNodes`
   * setting: `failuresTolerated` more nodes could fail (−1: some is lost now). Absent or
   * null otherwise.
   */
  atRisk?: { time: number; failuresTolerated: number; blobs: number } | null;
}

export interface StatusOptions {
  /**
   * Whether a process that renews (floe watch, the daemon, the desktop app — whatever
   * holds the data directory's lock) is running. Unset where the caller is that process.
   */
  renewerRunning?: boolean;
}

export async function collectStatus(
  index: Index,
  client: WalrusClient | null,
  o: StatusOptions = {},
): Promise<FloeStatus> {
  const last = index.latestSnapshot();
  const renewals = index.renewals(50);
  const status: FloeStatus = {
    folders: index.folders(),
    pendingJournal: index.pending().length,
    lastSnapshot: last
      ? { id: last.id, time: last.record.time, files: last.record.stats.files }
      : null,
    lastRenewal: renewals[0] ?? null,
    renewalFailures: failuresSinceLastSuccess(renewals),
    storage: null,
    networkError: null,
    lapsed: null,
    unrenewed: null,
    atRisk: spotCheckRisk(index),
  };
  if (!client) return status;
  try {
    const live = await liveStorage(index, client);
    const st = (status.storage = live.storage);
    if (live.lapsed.length)
      status.lapsed = {
        blobs: live.lapsed.length,
        lastEndEpoch: Math.max(...live.lapsed.map((l) => l.blob.endEpoch)),
      };
    const left = st.nextExpiryEpoch === null ? null : st.nextExpiryEpoch - st.epoch;
    if (
      o.renewerRunning === false &&
      left !== null &&
      left <= readSettings(index).renewal.windowEpochs
    )
      status.unrenewed = { endEpoch: st.nextExpiryEpoch!, epochsLeft: left };
  } catch (error) {
    status.networkError = (error as Error).message;
  }
  return status;
}

/** The newest run of failed decisions: an old failure that was since fixed is not news. */
function failuresSinceLastSuccess(newestFirst: RenewalRecord[]): RenewalRecord[] {
  const ok = newestFirst.findIndex((r) => r.action !== 'error');
  return ok < 0 ? newestFirst : newestFirst.slice(0, ok);
}

/** The storage side of the status, with the live blobs it was computed from. */
export async function liveStorage(
  index: Index,
  client: WalrusClient,
): Promise<{ storage: StorageStatus; blobs: BlobObject[]; lapsed: LapsedBlob[] }> {
  const state = await client.chain.systemState();
  const live = liveBlobIds(index);
  const owned = await client.listOwned();
  const blobs = owned.filter(
    (b) => b.state === 'certified' && b.endEpoch > state.epoch && live.has(b.blobId),
  );
  const units = blobs.reduce((n, b) => n + BigInt(Math.ceil(b.storageSize / MiB)), 0n);
  const cost = units * BigInt(state.storagePricePerUnit);
  const balances = await client.chain.balances(client.chain.address);
  const unused = (await client.chain.storageResources(client.chain.address)).filter(
    (r) => r.endEpoch > state.epoch,
  );
  const storage: StorageStatus = {
    epoch: state.epoch,
    epochDurationMs: state.epochDurationMs,
    epochEndsAt: state.epochStartedAt + state.epochDurationMs,
    liveBlobs: blobs.length,
    liveStorageBytes: blobs.reduce((n, b) => n + b.storageSize, 0),
    nextExpiryEpoch: blobs.length ? Math.min(...blobs.map((b) => b.endEpoch)) : null,
    costPerEpochFrost: cost.toString(),
    walFrost: balances.wal,
    suiMist: balances.sui,
    epochsAffordable: cost > 0n ? Number(BigInt(balances.wal) / cost) : null,
    unusedStorage: { resources: unused.length, bytes: unused.reduce((n, r) => n + r.size, 0) },
  };
  return { storage, blobs, lapsed: lapsedBlobs(index, owned, state.epoch) };
}

function spotCheckRisk(index: Index): FloeStatus['atRisk'] {
  const last = lastSpotCheck(index);
  if (!last || last.blobsAtRisk === 0) return null;
  return { time: last.time, failuresTolerated: last.failuresTolerated, blobs: last.blobsAtRisk };
}
