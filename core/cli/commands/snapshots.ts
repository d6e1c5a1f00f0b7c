/** `floe snapshots` and `floe restore`: what is backed up, and getting it back. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { findSnapshots, NoBackupsFoundError, restoreSnapshot } from '../../sync/restore.js';
import { UsageError } from '../errors.js';
import { cliPath } from '../paths.js';
import { formatBytes } from '../format.js';
import { ProgressBar } from '../progress-bar.js';
import type { CommandContext } from '../main.js';
import { openNetworkSession } from '../../session/session.js';

export async function snapshotsCommand(_args: string[], ctx: CommandContext): Promise<number> {
  const session = await openNetworkSession(ctx);
  try {
    const found = await findSnapshots(session.client, session.keys);
    if (ctx.json)
      ctx.out(
        JSON.stringify(
          found.map((f) => ({ ...f.snapshot, blobId: f.blob.blobId, endEpoch: f.blob.endEpoch })),
        ),
      );
    else
      for (const f of found)
        ctx.out(
          `${f.snapshot.id}  ${f.snapshot.time}  ${f.snapshot.hostname}  ${f.snapshot.stats.files} files  ${formatBytes(f.snapshot.stats.bytes)} new  ${f.snapshot.roots.map((r) => r.path).join(', ')}`,
        );
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * `floe restore [--phrase "…"] [--snapshot ID] [--folder PATH] [--path SUB] [--target DIR] [--overwrite]`.
 * On a machine with nothing else, the phrase (flag, FLOE_PHRASE, or the keychain) is all it needs.
 */
export async function restoreCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      phrase: { type: 'string' },
      snapshot: { type: 'string' },
      folder: { type: 'string' },
      path: { type: 'string' },
      target: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const phrase = values.phrase ?? process.env.FLOE_PHRASE;
  const session = await openNetworkSession(ctx, phrase);
  try {
    const found = await findSnapshots(session.client, session.keys);
    // A phrase that opens no backups is a mistyped one far more often than not: say so,
    // and keep this machine unbound rather than tie it to an empty account.
    if (found.length === 0 && phrase) throw new NoBackupsFoundError(session.keys.address);
    if (phrase && !session.account()) {
      // Remember the account on this machine, as a fresh install restoring itself would.
      await (await session.secrets()).set(session.keys.address, phrase);
      session.index.setSetting('account', session.keys.address);
    }
    const chosen = values.snapshot
      ? found.find((f) => f.snapshot.id.startsWith(values.snapshot!))
      : found[0];
    if (!chosen)
      throw new UsageError(
        values.snapshot ? `no snapshot ${values.snapshot}` : 'this account has no snapshots yet',
      );
    const root = values.folder ?? chosen.snapshot.roots[0]!.path;
    const target = resolve(values.target ?? root);
    const bar = ctx.json ? null : new ProgressBar();
    const result = await restoreSnapshot(session.client, session.keys, chosen.snapshot, {
      target,
      root,
      subPath: cliPath(values.path ?? ''),
      overwriteNewer: values.overwrite,
      onProgress: (p) => bar?.update(p),
    });
    bar?.done();
    if (ctx.json) ctx.out(JSON.stringify({ snapshot: chosen.snapshot.id, target, ...result }));
    else {
      ctx.out(
        `restored ${result.files} files (${formatBytes(result.bytes)}) from snapshot ${chosen.snapshot.id} to ${target}${result.alreadyRestored ? `; ${result.alreadyRestored} were already in place from an interrupted run` : ''}`,
      );
      for (const s of result.skipped)
        ctx.out(`  skipped ${s.path}: ${s.reason} (use --overwrite to replace it)`);
    }
    return 0;
  } finally {
    await session.close();
  }
}
