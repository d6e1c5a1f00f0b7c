/**
 * The folder list and the user's decisions about folders, while the engine runs. The
 * folder model holds them (persisted, it outlives the process) and announces each change;
 * the engine's watcher follows, model first: should watching fail, the folder is still
 * saved and the next start watches it.
 */
import { homedir } from 'node:os';
import type { FolderRow } from '../index/index.js';
import type { Engine } from '../sync/engine.js';
import { FolderChoiceError, checkFolderChoice } from '../sync/folder-choice.js';
import { FolderStateError, type FolderModel } from '../sync/folder-model.js';
import { expandHome, HomePathError } from '../sync/home-path.js';
import { HttpError } from './http.js';
import type { RestoreJob, RestoreJobs } from './restore-jobs.js';
import type { SnapshotBrowser } from './snapshots.js';
import { ValidationError } from '../index/validate.js';

export class FolderControl {
  constructor(
    private readonly folders: FolderModel,
    private readonly engine: Engine,
    private readonly dataDir: string,
    private readonly restores: RestoreJobs,
    private readonly snapshots: SnapshotBrowser,
    /** The user's home folder, where `~` and relative paths start. */
    private readonly home: () => string = homedir,
  ) {}

  /** A path from a form (`~`, `~/x`, `x`, or absolute) as the absolute path it means. */
  localPath(field: string, given: string): string {
    try {
      return expandHome(given, this.home());
    } catch (error) {
      if (error instanceof HomePathError) throw new ValidationError(field, error.message);
      throw error;
    }
  }

  list(): FolderRow[] {
    return this.folders.list();
  }

  /** Adds a folder (see core/sync/folder-choice.ts for which) and backs it up. */
  async add(given: string): Promise<FolderRow> {
    let path: string;
    try {
      path = await checkFolderChoice(
        this.localPath('path', given),
        this.folders.list(),
        this.dataDir,
      );
    } catch (error) {
      if (!(error instanceof FolderChoiceError)) throw error;
      if (error.kind === 'conflict') throw new HttpError(409, error.message);
      throw new ValidationError('path', error.message);
    }
    const folder = this.folders.add(path);
    await this.engine.addFolder(path);
    return folder;
  }

  async remove(id: string): Promise<FolderRow> {
    const folder = this.folders.remove(this.byId(id).id);
    await this.engine.removeFolder(folder.path);
    return folder;
  }

  /** Pausing stops watching; resuming watches again and backs up what changed meanwhile. */
  async setPaused(id: string, paused: boolean): Promise<FolderRow> {
    const folder = this.folders.setPaused(this.byId(id).id, paused);
    if (paused) await this.engine.removeFolder(folder.path);
    else if (folder.state !== 'not-restored') await this.engine.addFolder(folder.path);
    return folder;
  }

  /** The user agrees to record a held folder's deletions: the next backup does. */
  confirmDeletions(id: string): FolderRow {
    const folder = this.decide(() => this.folders.confirmDeletions(this.byId(id).id));
    this.engine.requestBackup();
    return folder;
  }

  /**
   * Restores a folder brought back from the account into its own place, from the newest
   * snapshot that holds it; once that restore is done the folder is backed up from there.
   */
  restore(id: string): RestoreJob {
    const folder = this.byId(id);
    const newest = this.snapshots.list().find((s) => s.retained && s.folders.includes(folder.path));
    if (!newest) throw new HttpError(404, `no snapshot holds ${folder.path}`);
    return this.restores.start({
      snapshot: this.snapshots.snapshot(newest.id),
      folder: folder.path,
      path: '',
      subPath: [],
      target: folder.path,
      conflict: 'skip',
    });
  }

  /**
   * A whole-folder restore into a not-restored folder's own place brings it back, however
   * it was started: from then on it is backed up from the restored state.
   */
  restoreFinished(job: RestoreJob): void {
    if (job.state !== 'done' || job.path !== '' || job.target !== job.folder) return;
    const folder = this.folders.byPath(job.folder);
    if (folder?.state !== 'not-restored') return;
    this.folders.restored(folder.id);
    if (!folder.paused) void this.engine.addFolder(folder.path);
  }

  /** A folder brought back from the account is backed up as it is here, not restored. */
  async startFresh(id: string): Promise<FolderRow> {
    const folder = this.decide(() => this.folders.startFresh(this.byId(id).id));
    if (!folder.paused) await this.engine.addFolder(folder.path);
    return folder;
  }

  private decide(change: () => FolderRow): FolderRow {
    try {
      return change();
    } catch (error) {
      if (error instanceof FolderStateError) throw new HttpError(409, error.message);
      throw error;
    }
  }

  private byId(id: string): FolderRow {
    const folder = /^[1-9]\d{0,15}$/.test(id)
      ? this.folders.list().find((f) => f.id === Number(id))
      : undefined;
    if (!folder) throw new HttpError(404, `no folder ${id}`);
    return folder;
  }
}
