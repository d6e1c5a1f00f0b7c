/**
 * `floe backup`: back up every folder now, with progress. A folder that cannot be backed
 * up (missing, held) never stops the others: it keeps its last tree, is reported, and the
 * command exits 1. `--confirm-deletions FOLDER` agrees to record what a held folder lost.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBackup } from '../../sync/backup.js';
import { FolderModel } from '../../sync/folder-model.js';
import { excludePatterns } from '../../index/settings.js';
import { withRenewal } from '../../sync/renewals.js';
import { renewalFailed, renewalLines, renewalOutcome } from '../renewal-outcome.js';
import { UsageError } from '../errors.js';
import { formatBytes } from '../format.js';
import type { CommandContext } from '../main.js';
import { ProgressBar } from '../progress-bar.js';
import { openNetworkSession } from '../../session/session.js';

const USAGE = 'usage: floe backup [--epochs N] [--confirm-deletions FOLDER]...';

export async function backupCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      epochs: { type: 'string', default: '5' },
      'confirm-deletions': { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  const epochs = Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 1) throw new UsageError(USAGE);
  const session = await openNetworkSession({ ...ctx, exclusive: true });
  try {
    const folders = new FolderModel(session.index);
    if (folders.list().length === 0)
      throw new UsageError('no folders to back up: add one with "floe add DIR"');
    for (const given of values['confirm-deletions']) {
      const folder = folders.byPath(resolve(given));
      if (!folder) throw new UsageError(`${resolve(given)} is not one of Floe's folders`);
      folders.confirmDeletions(folder.id);
    }
    const settings = session.settings();
    const { index, keys, client } = session;
    const bar = ctx.json ? null : new ProgressBar();
    const { result, renewals } = await withRenewal(client, index, settings.renewal, () =>
      runBackup(
        {
          index,
          keys,
          client,
          epochs,
          folders,
          excludes: excludePatterns(settings),
          holdDeletionsPercent: settings.holdDeletionsPercent,
        },
        (p) => bar?.update(p),
      ),
    );
    bar?.done();
    const renewal = renewalOutcome(renewals);
    const notSaved = result.folders.filter((f) => f.outcome === 'missing' || f.outcome === 'held');
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ...result,
          issues: result.issues.map((i) => ({ ...i, relPath: Buffer.from(i.relPath).toString() })),
          renewal,
        }),
      );
    } else {
      ctx.out(
        result.unchanged
          ? `nothing changed since snapshot ${result.snapshot.id} (${result.files} files read again)`
          : `snapshot ${result.snapshot.id}: ${result.files} files changed, ${formatBytes(result.newBytes)} new, ${formatBytes(result.dedupedBytes)} deduplicated, ${result.packs} packs`,
      );
      for (const f of notSaved)
        ctx.out(
          f.outcome === 'held'
            ? `  held: ${f.path}: ${f.message}\n    (its last backup stands; "floe backup --confirm-deletions ${f.path}" records the deletions)`
            : `  missing: ${f.path}: ${f.message}\n    (its last backup stands; it is backed up again once it is back)`,
        );
      for (const i of result.issues)
        if (i.code !== 'folder-missing')
          ctx.out(`  ${i.code}: ${i.folder}/${Buffer.from(i.relPath).toString()}: ${i.message}`);
      for (const line of renewalLines(renewal)) ctx.out(line);
    }
    return result.issues.length || notSaved.length || renewalFailed(renewal) ? 1 : 0;
  } finally {
    await session.close();
  }
}
