/**
 * The proof endpoints: a snapshot's proof (core/sync/proof.ts) as the window's Proof panel
 * shows it, and the spot-checks — the last ones, when the next is due, and one run now
 * ("Check now"), of every live blob or of one snapshot's blobs; and each storage node's
 * health from the chain and those checks.
 */
import type { Index } from '../index/index.js';
import { readSettings } from '../index/settings.js';
import type { Engine } from '../sync/engine.js';
import { nodeHealth, type NodeHealthView } from '../sync/node-health.js';
import { proveSnapshot, type SnapshotProof } from '../sync/proof.js';
import { snapshotBlobs } from '../sync/snapshot-blobs.js';
import {
  nextSpotCheckAt,
  spotCheckHistory,
  type SpotCheckRecord,
} from '../sync/spot-check-schedule.js';
import { NothingToCheckError } from '../sync/spot-check.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { HttpError } from './http.js';
import type { SnapshotBrowser } from './snapshots.js';

export interface ProofContext {
  engine: Engine;
  index: Index;
  client: WalrusClient;
  snapshots: SnapshotBrowser;
  network: string;
}

/** How many past checks GET /api/spot-checks lists. */
const HISTORY_LENGTH = 30;

export interface SpotCheckOverview {
  /** Newest first. */
  history: SpotCheckRecord[];
  /** When the scheduled check is due next (ms); null when the setting turns it off. */
  nextAt: number | null;
  running: boolean;
  setting: { intervalHours: number; samplePercent: number; warnMarginNodes: number };
}

export function spotCheckOverview(c: ProofContext): SpotCheckOverview {
  const settings = readSettings(c.index);
  return {
    history: spotCheckHistory(c.index, HISTORY_LENGTH),
    nextAt: nextSpotCheckAt(c.index, settings),
    running: c.engine.spotChecks.busy,
    setting: settings.spotCheck,
  };
}

/** GET /api/nodes: today's committee, node by node, from the chain and the logged checks. */
export function nodeHealthView(c: ProofContext): Promise<NodeHealthView> {
  return nodeHealth(c.client.chain, spotCheckHistory(c.index, HISTORY_LENGTH));
}

/** A snapshot the index knows, proven from the chain through the shared reader. */
export async function snapshotProofOf(c: ProofContext, id: string): Promise<SnapshotProof> {
  const reader = await c.snapshots.repo();
  return proveSnapshot(
    { index: c.index, chain: c.client.chain, client: c.client, reader, network: c.network },
    knownSnapshot(c, id),
  );
}

/** A spot-check now: of one snapshot's blobs, or (no snapshot) of every live one. */
export async function spotCheckNow(
  c: ProofContext,
  o: { snapshot?: string; samplePercent?: number },
): Promise<SpotCheckRecord> {
  let blobIds: Set<string> | undefined;
  if (o.snapshot !== undefined) {
    const snapshot = knownSnapshot(c, o.snapshot);
    const blobs = await snapshotBlobs(await c.snapshots.repo(), snapshot);
    blobIds = new Set([
      ...(snapshot.blobId ? [snapshot.blobId] : []),
      ...blobs.indexBlobIds,
      ...blobs.packs.keys(),
    ]);
  }
  try {
    return await c.engine.spotChecks.runNow({
      ...(o.samplePercent === undefined ? {} : { samplePercent: o.samplePercent }),
      ...(blobIds ? { blobIds } : {}),
    });
  } catch (error) {
    if (error instanceof NothingToCheckError) throw new HttpError(409, error.message);
    throw error;
  }
}

function knownSnapshot(c: ProofContext, id: string) {
  const found = c.index.snapshots().find((s) => s.id === id);
  if (!found) throw new HttpError(404, `no snapshot ${id}`);
  return { ...found.record, blobId: found.blobId };
}
