/** `floe add DIR`, `floe remove DIR`: the folders Floe backs up. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { openDataDir } from '../../session/session.js';

export async function addCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [dir] = args;
  if (!dir || args.length > 1) throw new UsageError('usage: floe add DIR');
  const path = resolve(dir);
  const st = await stat(path).catch(() => null);
  if (!st?.isDirectory()) throw new UsageError(`${path} is not a folder`);
  const session = await openDataDir(ctx);
  try {
    const folder = session.index.addFolder(path);
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
    const folder = session.index.folderByPath(resolve(dir));
    if (!folder) throw new UsageError(`${resolve(dir)} is not one of Floe's folders`);
    session.index.removeFolder(folder.id);
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
