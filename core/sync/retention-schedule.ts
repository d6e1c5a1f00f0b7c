/**
 * Retention that runs by itself: the engine forgets snapshots beyond the user's retention
 * settings and prunes what only they needed — after a backup, at most once a day, and
 * whenever asked. Deleting is the one thing Floe does that cannot be undone, so the first
 * time a run would forget anything it only shows its plan and waits: the user approves
 * once (the window's "Apply", `floe forget`), and from then on it runs on its own. Each
 * snapshot forgotten is logged beside the renewal decisions.
 */
import type { Index } from '../index/index.js';
import type { Settings } from '../index/settings.js';
import type { RepoKeys } from '../repo/keys.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { forgetAndPrune, type PruneReport } from './prune.js';

/** Internal settings rows: whether the user approved automatic retention, and the last run. */
const APPROVED = 'retentionApproved';
const LAST_RUN = 'retentionLastRunAt';

export const RETENTION_INTERVAL_MS = 86_400_000;

export interface RetentionContext {
  index: Index;
  keys: RepoKeys;
  client: WalrusClient;
}

export interface RetentionStatus {
  policy: Settings['retention'];
  /** The user let retention delete on its own. */
  approved: boolean;
  lastRunAt: number | null;
  nextRunAt: number | null;
}

export type RetentionRun =
  | { ran: true; report: PruneReport }
  /** The plan waits for the user's approval: nothing was forgotten. */
  | { ran: false; waitingForApproval: true; plan: PruneReport }
  /** Not due yet, or nothing to forget. */
  | { ran: false; waitingForApproval: false; plan: PruneReport | null };

export function retentionStatus(
  index: Index,
  settings: Settings,
  intervalMs = RETENTION_INTERVAL_MS,
): RetentionStatus {
  const lastRunAt = index.getSetting<number | null>(LAST_RUN, null);
  return {
    policy: settings.retention,
    approved: index.getSetting(APPROVED, false),
    lastRunAt,
    nextRunAt: lastRunAt === null ? null : lastRunAt + intervalMs,
  };
}

/** The user's consent to automatic retention (given by applying the settings' policy). */
export function approveRetention(index: Index): void {
  index.setSetting(APPROVED, true);
}

/** What the next run would forget and prune, changing nothing. */
export function retentionPlan(ctx: RetentionContext, settings: Settings): Promise<PruneReport> {
  return forgetAndPrune(
    { ...ctx, epochs: settings.renewal.termEpochs },
    { policy: settings.retention, dryRun: true },
  );
}

/**
 * Runs retention if it is due (`force`: now, whatever the schedule). `approve` records the
 * user's consent first; without consent a run that would forget anything only plans.
 */
export async function runRetention(
  ctx: RetentionContext,
  settings: Settings,
  o: { force?: boolean; approve?: boolean; intervalMs?: number; now?: number } = {},
): Promise<RetentionRun> {
  const { index } = ctx;
  const now = o.now ?? Date.now();
  const status = retentionStatus(index, settings, o.intervalMs);
  if (!o.force && status.nextRunAt !== null && now < status.nextRunAt)
    return { ran: false, waitingForApproval: false, plan: null };
  if (o.approve) approveRetention(index);
  if (!o.approve && !status.approved) {
    const plan = await retentionPlan(ctx, settings);
    if (plan.forgotten.length > 0) return { ran: false, waitingForApproval: true, plan };
  }
  const report = await forgetAndPrune(
    { ...ctx, epochs: settings.renewal.termEpochs },
    { policy: settings.retention },
  );
  const { epoch } = await ctx.client.chain.systemState();
  index.transaction(() => {
    for (const f of report.forgotten)
      index.logRenewal({
        time: now,
        epoch,
        objectId: null,
        blobId: null,
        action: 'forget',
        epochs: null,
        costFrost: null,
        reason: `snapshot ${f.id} of ${f.time} is beyond the retention settings`,
      });
    index.setSetting(LAST_RUN, now);
  });
  return { ran: true, report };
}
