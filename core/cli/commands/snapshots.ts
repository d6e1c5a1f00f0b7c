/** `floe snapshots` and `floe restore`: what is backed up, and getting it back. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  findSnapshots,
  NoBackupsFoundError,
  restoreSnapshot,
  type ConflictChoice,
  type RestoreResult,
} from '../../sync/restore.js';
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
 * `floe restore [--phrase "…"] [--snapshot ID] [--folder PATH] [--path SUB] [--target DIR]
 * [--conflict skip|replace|keep-both]` (`--overwrite` is `--conflict replace`). Without
 * `--target`, to where it was. On a machine with nothing else, the phrase (flag,
 * FLOE_PHRASE, or the keychain) is all it needs.
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
      conflict: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const conflict = conflictChoice(values.conflict, values.overwrite);
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
    const target = values.target === undefined ? undefined : resolve(values.target);
    const bar = ctx.json ? null : new ProgressBar();
    const result = await restoreSnapshot(session.client, session.keys, chosen.snapshot, {
      ...(target === undefined ? {} : { target }),
      root,
      subPath: cliPath(values.path ?? ''),
      conflict,
      onProgress: (p) => bar?.update(p),
    });
    bar?.done();
    if (ctx.json)
      ctx.out(JSON.stringify({ snapshot: chosen.snapshot.id, target: target ?? root, ...result }));
    else for (const line of restoreWords(result, chosen.snapshot.id, target ?? root)) ctx.out(line);
    return 0;
  } finally {
    await session.close();
  }
}

const CONFLICT_CHOICES: ConflictChoice[] = ['skip', 'replace', 'keep-both'];

function conflictChoice(given: string | undefined, overwrite: boolean): ConflictChoice {
  if (given === undefined) return overwrite ? 'replace' : 'skip';
  if (!CONFLICT_CHOICES.includes(given as ConflictChoice))
    throw new UsageError(`--conflict takes ${CONFLICT_CHOICES.join(', ')}, not "${given}"`);
  if (overwrite && given !== 'replace')
    throw new UsageError(`--overwrite is --conflict replace: it contradicts --conflict ${given}`);
  return given as ConflictChoice;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a restore did, in words: "3 files restored …; 2 kept because your copy is newer". */
function restoreWords(r: RestoreResult, snapshot: string, target: string): string[] {
  const parts = [
    `${plural(r.files, 'file')} restored (${formatBytes(r.bytes)}) from snapshot ${snapshot} to ${target}`,
  ];
  const kept = (kind: string) => r.skipped.filter((s) => s.kind === kind).length;
  if (kept('newer')) parts.push(`${kept('newer')} kept because your copy is newer`);
  if (kept('type-differs'))
    parts.push(`${kept('type-differs')} kept because something of another kind is in its place`);
  if (r.renamed.length)
    parts.push(`${r.renamed.length} restored beside your copy, under a new name`);
  if (r.replaced.length)
    parts.push(`${plural(r.replaced.length, 'copy', 'copies')} of yours replaced`);
  if (r.alreadyRestored) parts.push(`${r.alreadyRestored} already in place`);
  const lines = [parts.join('; ')];
  for (const s of r.skipped) lines.push(`  kept ${s.path}: ${s.reason}`);
  for (const s of r.renamed) lines.push(`  restored ${s.path} as ${s.to}: ${s.reason}`);
  for (const s of r.replaced) lines.push(`  replaced ${s.path}: ${s.reason}`);
  if (r.skipped.length)
    lines.push(
      "to restore what was kept: --conflict replace (your copies are lost) or --conflict keep-both (the backup's copies beside yours)",
    );
  return lines;
}
