/** `floe add DIR`, `floe remove DIR`: the folders Floe backs up. */
import { resolve } from 'node:path';
import { FolderChoiceError, checkFolderChoice } from '../../sync/folder-choice.js';
import { FolderModel } from '../../sync/folder-model.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { openDataDir } from '../../session/session.js';

export async function addCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [dir] = args;
  if (!dir || args.length > 1) throw new UsageError('usage: floe add DIR');
  const session = await openDataDir(ctx);
  try {
    const folders = new FolderModel(session.index);
    const path = await checkFolderChoice(dir, folders.list(), session.dataDir).catch(
      (error: unknown) => {
        throw error instanceof FolderChoiceError ? new UsageError(error.message) : error;
      },
    );
    const folder = folders.add(path);
    ctx.out(
      ctx.json
        ? JSON.stringify(folder)
        : `added ${path}; it will be backed up by the next "floe backup"`,
    );
  } finally {
    await session.close();
  }
  return 0;
}

export async function removeCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [dir] = args;
  if (!dir) throw new UsageError('usage: floe remove DIR');
  const session = await openDataDir(ctx);
  try {
    const folders = new FolderModel(session.index);
    const folder = folders.byPath(resolve(dir));
    if (!folder) throw new UsageError(`${resolve(dir)} is not one of Floe's folders`);
    folders.remove(folder.id);
    ctx.out(
      ctx.json
        ? JSON.stringify({ removed: folder.path })
        : `removed ${folder.path}; its existing snapshots stay restorable`,
    );
  } finally {
    await session.close();
  }
  return 0;
}
