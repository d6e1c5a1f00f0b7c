/** `floe backup`: back up every folder now, with progress. */
import { runBackup } from '../../sync/backup.js';
import { UsageError } from '../errors.js';
import { formatBytes } from '../format.js';
import type { CommandContext } from '../main.js';
import { ProgressBar } from '../progress-bar.js';
import { openNetworkSession } from '../../session/session.js';

export async function backupCommand(args: string[], ctx: CommandContext): Promise<number> {
  const epochsAt = args.indexOf('--epochs');
  const epochs = epochsAt >= 0 ? Number(args[epochsAt + 1]) : 5;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new UsageError('usage: floe backup [--epochs N]');
  const session = await openNetworkSession({ ...ctx, exclusive: true });
  try {
    if (session.index.folders().length === 0)
      throw new UsageError('no folders to back up: add one with "floe add DIR"');
    const bar = ctx.json ? null : new ProgressBar();
    const result = await runBackup(
      { index: session.index, keys: session.keys, client: session.client, epochs },
      (p) => bar?.update(p),
    );
    bar?.done();
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ...result,
          issues: result.issues.map((i) => ({ ...i, relPath: Buffer.from(i.relPath).toString() })),
        }),
      );
    } else {
      ctx.out(
        result.unchanged
          ? `nothing changed since snapshot ${result.snapshot.id} (${result.files} files read again)`
          : `snapshot ${result.snapshot.id}: ${result.files} files changed, ${formatBytes(result.newBytes)} new, ${formatBytes(result.dedupedBytes)} deduplicated, ${result.packs} packs`,
      );
      for (const i of result.issues)
        ctx.out(`  ${i.code}: ${i.folder}/${Buffer.from(i.relPath).toString()}: ${i.message}`);
    }
    return result.issues.length ? 1 : 0;
  } finally {
    await session.close();
  }
}
