/**
 * Spot-checks run and remembered: which blobs a check covers (every blob a retained
 * snapshot needs, or one snapshot's), the outcome logged in the index each time — so the
 * window can say "last checked 3 h ago: all 10 nodes answered" and show health over time —
 * and the engine's schedule (the `spotCheck` setting: daily, 1 % by default).
 */
import type { Index } from '../index/index.js';
import type { Settings } from '../index/settings.js';
import type { WalrusClient } from '../walrus/client/client.js';
import type { ProgressSnapshot } from './progress.js';
import { liveBlobIds } from './renewals.js';
import { NothingToCheckError, spotCheck, type SpotCheckReport } from './spot-check.js';

/** A check as logged: the report without its per-blob detail (thousands of rows for big backups). */
export type SpotCheckRecord = Omit<SpotCheckReport, 'blobChecks'> & {
  trigger: SpotCheckTrigger;
  /** Blobs whose margin is below the warning setting at the time of the check. */
  blobsAtRisk: number;
};

export type SpotCheckTrigger = 'manual' | 'scheduled';

const HOUR_MS = 3_600_000;

export interface SpotCheckContext {
  index: Index;
  client: WalrusClient;
}

/** Checks a sample now, logs it, and returns the full report. */
export async function runSpotCheck(
  ctx: SpotCheckContext,
  o: {
    samplePercent: number;
    trigger: SpotCheckTrigger;
    warnMarginNodes: number;
    /** Only these blobs (a snapshot's, see snapshot-blobs.ts); default every live one. */
    blobIds?: Set<string>;
    onProgress?: (p: ProgressSnapshot) => void;
    signal?: AbortSignal;
  },
): Promise<SpotCheckReport & { record: SpotCheckRecord }> {
  const wanted = o.blobIds ?? liveBlobIds(ctx.index);
  const blobs = (await ctx.client.listOwned()).filter((b) => wanted.has(b.blobId));
  const report = await spotCheck(ctx.client.chain, blobs, {
    samplePercent: o.samplePercent,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const { blobChecks, ...rest } = report;
  const record: SpotCheckRecord = {
    ...rest,
    trigger: o.trigger,
    blobsAtRisk: blobChecks.filter((b) => b.failuresTolerated < o.warnMarginNodes).length,
  };
  ctx.index.logSpotCheck(report.time, o.trigger, record);
  return { ...report, record };
}

/** The checks logged, newest first. */
export function spotCheckHistory(index: Index, limit = 50): SpotCheckRecord[] {
  return index.spotChecks<SpotCheckRecord>(limit).map((r) => r.report);
}

export function lastSpotCheck(index: Index): SpotCheckRecord | null {
  return spotCheckHistory(index, 1)[0] ?? null;
}

/** When the next scheduled check is due (null: never, the setting is 0). */
export function nextSpotCheckAt(index: Index, settings: Settings, now = Date.now()): number | null {
  const every = settings.spotCheck.intervalHours * HOUR_MS;
  if (every <= 0) return null;
  const last = index.spotChecks<SpotCheckRecord>(20).find((r) => r.trigger === 'scheduled');
  return last ? last.time + every : now;
}

/** Runs the scheduled check if it is due; null when it was not. */
export async function runScheduledSpotCheck(
  ctx: SpotCheckContext,
  settings: Settings,
  now = Date.now(),
): Promise<(SpotCheckReport & { record: SpotCheckRecord }) | null> {
  const due = nextSpotCheckAt(ctx.index, settings, now);
  if (due === null || now < due) return null;
  try {
    return await runSpotCheck(ctx, {
      samplePercent: settings.spotCheck.samplePercent,
      warnMarginNodes: settings.spotCheck.warnMarginNodes,
      trigger: 'scheduled',
    });
  } catch (error) {
    // Nothing backed up yet: nothing to check, and nothing wrong.
    if (error instanceof NothingToCheckError) return null;
    throw error;
  }
}
