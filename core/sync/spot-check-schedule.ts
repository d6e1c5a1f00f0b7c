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

export interface SpotCheckHooks {
  onProgress?: (p: ProgressSnapshot) => void;
  onCheck?: (record: SpotCheckRecord) => void;
}

/**
 * The engine's spot-checks: the scheduled one when due, and one on request ("Check now"),
 * never two at once — a request while one runs gets that one's outcome.
 */
export class SpotChecks {
  private running: Promise<SpotCheckRecord> | null = null;

  constructor(
    private readonly ctx: SpotCheckContext,
    private readonly settings: () => Settings,
    private readonly hooks: SpotCheckHooks = {},
  ) {}

  /** Is one running now? */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * A check now: `samplePercent` of every node's slivers (default: the setting's), of
   * `blobIds` (one snapshot's) or of every live blob.
   */
  runNow(
    o: { samplePercent?: number; trigger?: SpotCheckTrigger; blobIds?: Set<string> } = {},
  ): Promise<SpotCheckRecord> {
    if (this.running) return this.running;
    const { spotCheck } = this.settings();
    const run = runSpotCheck(this.ctx, {
      samplePercent: o.samplePercent ?? spotCheck.samplePercent,
      warnMarginNodes: spotCheck.warnMarginNodes,
      trigger: o.trigger ?? 'manual',
      ...(o.blobIds ? { blobIds: o.blobIds } : {}),
      ...(this.hooks.onProgress ? { onProgress: this.hooks.onProgress } : {}),
    }).then((r) => {
      this.hooks.onCheck?.(r.record);
      return r.record;
    });
    this.running = run.finally(() => (this.running = null));
    return this.running;
  }

  /** The scheduled check, if it is due; null when it is not (or there is nothing to check). */
  async runIfDue(now = Date.now()): Promise<SpotCheckRecord | null> {
    if (this.running) return null;
    const due = nextSpotCheckAt(this.ctx.index, this.settings(), now);
    if (due === null || now < due) return null;
    try {
      return await this.runNow({ trigger: 'scheduled' });
    } catch (error) {
      if (error instanceof NothingToCheckError) return null;
      throw error;
    }
  }

  /** Resolves once no check is running. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
