/**
 * The storage-and-renewals view (DESIGN §6: every decision visible): the renewal log,
 * each live blob's end epoch for a timeline, what keeping them costs per epoch and how
 * long the balance pays for that; and renewal run on demand under the user's policy.
 */
import type { Index, RenewalRecord } from '../index/index.js';
import type { Engine } from '../sync/engine.js';
import type { RenewalPolicy, RenewalReport } from '../sync/renewals.js';
import { liveStorage, type StorageStatus } from '../sync/status.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { HttpError } from './http.js';
import { readSettings } from '../index/settings.js';

const LOG_LENGTH = 200;

export interface LiveBlob {
  blobId: string;
  objectId: string;
  /** pack, index or snapshot (Floe's on-chain attribute). */
  kind: string | null;
  endEpoch: number;
  storageSize: number;
}

export interface RenewalOverview {
  policy: RenewalPolicy;
  storage: StorageStatus;
  /** Live blobs, soonest expiry first. */
  blobs: LiveBlob[];
  /** Newest first. */
  log: RenewalRecord[];
}

export async function renewalOverview(
  index: Index,
  client: WalrusClient,
): Promise<RenewalOverview> {
  let live: Awaited<ReturnType<typeof liveStorage>>;
  try {
    live = await liveStorage(index, client);
  } catch (error) {
    throw new HttpError(503, `the network is unreachable: ${(error as Error).message}`);
  }
  return {
    policy: readSettings(index).renewal,
    storage: live.storage,
    blobs: live.blobs
      .map((b) => ({
        blobId: b.blobId,
        objectId: b.objectId,
        kind: b.attributes.kind ?? null,
        endEpoch: b.endEpoch,
        storageSize: b.storageSize,
      }))
      .sort((x, y) => x.endEpoch - y.endEpoch),
    log: index.renewals(LOG_LENGTH),
  };
}

export interface RenewalRun extends RenewalReport {
  dryRun: boolean;
  plan: {
    action: 'extend' | 'delete';
    blobId: string;
    objectId: string;
    endEpoch: number;
    epochs: number | null;
    reason: string;
  }[];
}

/** Renewal on request, one run at a time: two runs at once would each extend the same blobs. */
export class RenewalRunner {
  private busy = false;

  constructor(private readonly engine: Engine) {}

  async run(dryRun: boolean): Promise<RenewalRun> {
    if (this.busy) throw new HttpError(409, 'a renewal run is already in progress');
    this.busy = true;
    try {
      // Through the engine, so this run queues behind one its timer started.
      const { plan, ...report } = await this.engine.renewNow(dryRun);
      return {
        ...report,
        dryRun,
        plan: plan.map((p) => ({
          action: p.action,
          blobId: p.blob.blobId,
          objectId: p.blob.objectId,
          endEpoch: p.blob.endEpoch,
          epochs: p.action === 'extend' ? p.epochs : null,
          reason: p.reason,
        })),
      };
    } finally {
      this.busy = false;
    }
  }
}
