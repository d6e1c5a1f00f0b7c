/**
 * What `floe status` (and later the API and the tray) shows: the folders and their state,
 * work left in the journal, the last snapshot, and the money side — the next expiry of a
 * live blob, the WAL balance, what keeping the live blobs costs per epoch, and the last
 * renewal decisions, failures included.
 */
import type { FolderRow, Index, RenewalRecord } from '../index/index.js';
import type { BlobObject } from '../walrus/chain/chain.js';
import type { WalrusClient } from '../walrus/client/client.js';
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
}

export async function collectStatus(
  index: Index,
  client: WalrusClient | null,
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
  };
  if (!client) return status;
  try {
    status.storage = (await liveStorage(index, client)).storage;
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
): Promise<{ storage: StorageStatus; blobs: BlobObject[] }> {
  const state = await client.chain.systemState();
  const live = liveBlobIds(index);
  const blobs = (await client.listOwned()).filter(
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
  return { storage, blobs };
}
