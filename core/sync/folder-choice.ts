/**
 * Which folders can be backed up, for the CLI and the API alike: an existing folder, not
 * the whole file system, not Floe's own data directory (or one holding it — the index
 * would back itself up while it changes), and not inside or around a folder already
 * chosen (its files would be stored and listed twice).
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, parse, relative, resolve, sep } from 'node:path';
import type { FolderRow } from '../index/index.js';

export class FolderChoiceError extends Error {
  constructor(
    message: string,
    /** 'conflict': the folder list is in the way; 'invalid': the path itself is. */
    readonly kind: 'invalid' | 'conflict',
  ) {
    super(message);
    this.name = 'FolderChoiceError';
  }
}

/** The absolute path to add, or a `FolderChoiceError` saying why it cannot be. */
export async function checkFolderChoice(
  given: string,
  chosen: FolderRow[],
  dataDir: string,
): Promise<string> {
  const path = resolve(given);
  const st = await stat(path).catch(() => null);
  if (!st?.isDirectory())
    throw new FolderChoiceError(`${path} is not an existing folder`, 'invalid');
  if (parse(path).root === path)
    throw new FolderChoiceError(
      `${path} is the whole file system: choose the folders that hold your files (e.g. your home folder)`,
      'invalid',
    );
  const data = resolve(dataDir);
  if (path === data || contains(path, data) || contains(data, path))
    throw new FolderChoiceError(
      `${path} holds Floe's own data directory (${data}), which is not backed up`,
      'invalid',
    );
  for (const f of chosen) {
    if (f.path === path) throw new FolderChoiceError(`${path} is already backed up`, 'conflict');
    if (contains(f.path, path) || contains(path, f.path))
      throw new FolderChoiceError(
        `${path} overlaps ${f.path}, which is already backed up`,
        'conflict',
      );
  }
  return path;
}

function contains(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
