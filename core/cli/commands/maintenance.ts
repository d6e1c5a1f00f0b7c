/**
 * Keeping the repository healthy: `floe renew` (extend what is live, delete what is dead),
 * `floe forget` (retention, then prune and compaction) and `floe check` (is it all there).
 */
import { parseArgs } from 'node:util';
import type { RetentionPolicy } from '../../repo/retention.js';
import { checkRepository } from '../../sync/check.js';
import { DEFAULT_COMPACT_BELOW, forgetAndPrune } from '../../sync/prune.js';
import { DEFAULT_RENEWAL, runRenewals, withRenewal } from '../../sync/renewals.js';
import { approveRetention } from '../../sync/retention-schedule.js';
import { lapseLine, renewalFailed, renewalLines, renewalOutcome } from '../renewal-outcome.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatWal } from '../format.js';
import type { CommandContext } from '../main.js';
import { ProgressBar } from '../progress-bar.js';
import { openNetworkSession } from '../../session/session.js';

/** `floe renew [--dry-run] [--window N] [--term N]` */
export async function renewCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      window: { type: 'string', default: String(DEFAULT_RENEWAL.windowEpochs) },
      term: { type: 'string', default: String(DEFAULT_RENEWAL.termEpochs) },
    },
    strict: true,
  });
  const policy = {
    windowEpochs: positive(values.window, '--window'),
    termEpochs: positive(values.term, '--term'),
  };
  const dryRun = values['dry-run'];
  const session = await openNetworkSession({ ...ctx, exclusive: !dryRun });
  try {
    const report = await runRenewals(session.client, session.index, policy, dryRun);
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ...report,
          costFrost: report.costFrost.toString(),
          plan: report.plan.map((p) => ({
            action: p.action,
            blobId: p.blob.blobId,
            objectId: p.blob.objectId,
            endEpoch: p.blob.endEpoch,
            reason: p.reason,
            ...(p.action === 'extend' ? { epochs: p.epochs } : {}),
          })),
        }),
      );
    } else {
      const verb = dryRun ? 'would ' : '';
      for (const p of report.plan)
        ctx.out(
          `${verb}${p.action} ${p.blob.blobId}${p.action === 'extend' ? ` by ${p.epochs} epochs` : ''}: ${p.reason}`,
        );
      if (!dryRun)
        ctx.out(
          `epoch ${report.epoch}: extended ${report.extended}, deleted ${report.deleted}, spent ${formatWal(report.costFrost)}; next expiry ${report.nextExpiryEpoch ?? 'none'}`,
        );
      else if (report.plan.length === 0) ctx.out(`epoch ${report.epoch}: nothing to do`);
      for (const e of report.errors) ctx.out(`FAILED ${e}`);
      if (report.lapsed) ctx.out(lapseLine(report.lapsed));
    }
    return report.errors.length || report.lapsed ? 1 : 0;
  } finally {
    await session.close();
  }
}

/**
 * `floe forget [--keep-last N --keep-daily N … --keep-within 30d] [--dry-run] [--compact-below 0.5]`;
 * with no --keep-… flags, the retention settings.
 */
export async function forgetCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'keep-last': { type: 'string' },
      'keep-hourly': { type: 'string' },
      'keep-daily': { type: 'string' },
      'keep-weekly': { type: 'string' },
      'keep-monthly': { type: 'string' },
      'keep-yearly': { type: 'string' },
      'keep-within': { type: 'string' },
      'compact-below': { type: 'string', default: String(DEFAULT_COMPACT_BELOW) },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const policy: RetentionPolicy = {};
  for (const k of ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const) {
    const v = values[`keep-${k}`];
    if (v !== undefined) policy[k] = positive(v, `--keep-${k}`);
  }
  if (values['keep-within']) policy.withinMs = parseDuration(values['keep-within']);
  // No --keep-… flags: the retention settings, as the engine applies them.
  const fromSettings = Object.keys(policy).length === 0;
  const compactBelow = Number(values['compact-below']);
  if (!(compactBelow >= 0 && compactBelow < 1))
    throw new UsageError('--compact-below is a fraction in [0, 1)');
  const dryRun = values['dry-run'];
  const session = await openNetworkSession({ ...ctx, exclusive: !dryRun });
  try {
    const { index, keys, client } = session;
    const settings = session.settings();
    const prune = () =>
      forgetAndPrune(
        { index, keys, client, epochs: settings.renewal.termEpochs },
        { policy: fromSettings ? settings.retention : policy, compactBelow, dryRun },
      );
    // Compaction stores, so renewal runs around it; the one after also deletes what just
    // died, so its storage is returned today.
    const { result: report, renewals } = dryRun
      ? { result: await prune(), renewals: null }
      : await withRenewal(client, index, settings.renewal, prune);
    // Applying the settings' policy by hand is consent to the engine applying it daily.
    if (fromSettings && !dryRun) approveRetention(index);
    const renewal = renewals && renewalOutcome(renewals);
    if (ctx.json)
      ctx.out(
        JSON.stringify({
          ...report,
          deleted: renewal?.deleted ?? 0,
          errors: renewal?.errors ?? [],
          lapsed: renewal?.lapsed ?? null,
        }),
      );
    else {
      for (const k of report.kept)
        ctx.out(`keep    ${k.id.slice(0, 8)}  ${k.time}  (${k.reasons.join(', ')})`);
      for (const f of report.forgotten)
        ctx.out(`${dryRun ? 'would forget' : 'forget'}  ${f.id.slice(0, 8)}  ${f.time}`);
      ctx.out(
        `${report.livePacks} live packs, ${report.deadPacks} dead, ${report.compactedPacks} compacted (${formatBytes(report.rewrittenBytes)} rewritten); ${formatBytes(report.reclaimableBytes)} no longer needed${renewal ? `; ${renewal.deleted} blobs deleted` : ''}`,
      );
      if (renewal) for (const line of renewalLines(renewal)) ctx.out(line);
    }
    return renewal && renewalFailed(renewal) ? 1 : 0;
  } finally {
    await session.close();
  }
}

/** `floe check [--read-data]` */
export async function checkCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'read-data': { type: 'boolean', default: false } },
    strict: true,
  });
  const session = await openNetworkSession(ctx);
  try {
    const bar = ctx.json ? null : new ProgressBar();
    const report = await checkRepository(session.client, session.keys, session.index, {
      readData: values['read-data'],
      onProgress: (p) => bar?.update(p),
    });
    bar?.done();
    if (ctx.json) ctx.out(JSON.stringify(report));
    else {
      ctx.out(
        `${report.snapshots} snapshots, ${report.trees} trees, ${report.chunks} chunks in ${report.packsReferenced} packs${values['read-data'] ? `; ${report.packsRead} packs read back and verified` : ''}`,
      );
      for (const p of report.problems) ctx.out(`PROBLEM ${p}`);
      for (const w of report.warnings) ctx.out(`WARNING ${w}`);
      ctx.out(
        report.problems.length ? `${report.problems.length} problem(s) found` : 'no problems found',
      );
    }
    return report.problems.length ? 1 : 0;
  } finally {
    await session.close();
  }
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number ≥ 1`);
  return n;
}
