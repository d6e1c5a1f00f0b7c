/**
 * Changing the folder list while the engine runs. The index holds the list (it outlives
 * the process) and the engine's watcher follows it, so each change goes to both, index
 * first: should watching fail, the folder is still saved and the next start watches it.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FolderRow, Index } from '../index/index.js';
import type { Engine } from '../sync/engine.js';
import { HttpError } from './http.js';
import { ValidationError } from '../index/validate.js';

export class FolderControl {
  constructor(
    private readonly index: Index,
    private readonly engine: Engine,
    /** Called after every change, so listeners hear about it without polling. */
    private readonly changed: () => void,
  ) {}

  list(): FolderRow[] {
    return this.index.folders();
  }

  /**
   * Adds a folder and backs it up. A folder inside (or around) one already chosen is
   * refused: its files would be stored and listed twice.
   */
  async add(given: string): Promise<FolderRow> {
    const path = resolve(given);
    const st = await stat(path).catch(() => null);
    if (!st?.isDirectory()) throw new ValidationError('path', `${path} is not an existing folder`);
    for (const f of this.index.folders()) {
      if (f.path === path) throw new HttpError(409, `${path} is already backed up`);
      if (contains(f.path, path) || contains(path, f.path))
        throw new HttpError(409, `${path} overlaps ${f.path}, which is already backed up`);
    }
    const folder = this.index.addFolder(path);
    this.changed();
    await this.engine.addFolder(path);
    return folder;
  }

  async remove(id: string): Promise<FolderRow> {
    const folder = this.byId(id);
    this.index.removeFolder(folder.id);
    this.changed();
    await this.engine.removeFolder(folder.path);
    return folder;
  }

  /** Pausing stops watching; resuming watches again and backs up what changed meanwhile. */
  async setPaused(id: string, paused: boolean): Promise<FolderRow> {
    const folder = this.byId(id);
    this.index.setFolderPaused(folder.id, paused);
    this.changed();
    if (paused) await this.engine.removeFolder(folder.path);
    else await this.engine.addFolder(folder.path);
    return this.byId(id);
  }

  private byId(id: string): FolderRow {
    const folder = /^[1-9]\d{0,15}$/.test(id)
      ? this.index.folders().find((f) => f.id === Number(id))
      : undefined;
    if (!folder) throw new HttpError(404, `no folder ${id}`);
    return folder;
  }
}

function contains(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
