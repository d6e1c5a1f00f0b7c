/**
 * Every folder's state, with one owner (Syncthing's folder model): this module is the only
 * writer of a folder's state, and it says so itself — each change is persisted in the index
 * (so it survives a restart) and emitted with the folder's new row, so the API, the CLI's
 * status, the window and the tray read the same thing and never infer it.
 *
 * | state        | meaning                                                          | left by                    |
 * | ------------ | ---------------------------------------------------------------- | -------------------------- |
 * | idle         | the last snapshot holds what the last scan saw                   | a change, a run            |
 * | scanning     | a run is comparing the folder with the index                     | the scan's end             |
 * | uploading    | a run is storing the folder's changes                            | the snapshot, a failure    |
 * | retrying     | a run failed; the next attempt is scheduled (`detail.retry`)     | the retry                  |
 * | offline      | as retrying, because the network did not answer                  | the network answering      |
 * | failed       | runs kept failing (`lastError`); retried at the longest interval | a run that succeeds        |
 * | paused       | the user paused it: not watched, not scanned, snapshots keep it  | resume                     |
 * | missing      | its root cannot be read (unplugged, unmounted): snapshots keep it | the root coming back      |
 * | held         | the scan would record mass deletion (`detail.held`): kept as was | the user confirming        |
 * | not-restored | brought back from the account on a new machine, not restored yet | restore, or "start fresh"  |
 *
 * Independently of the state, a folder is *dirty* while it has changes no snapshot holds
 * (`changesSeen > changesSaved`): "synced" is only ever said of folders that are not.
 */
import { EventEmitter } from 'node:events';
import type {
  FolderRow,
  FolderState,
  FolderStateDetail,
  FolderStateUpdate,
  Index,
} from '../index/index.js';

export interface FolderModelEvents {
  /** A folder changed state (or was added, or removed: then `removed`). */
  'folder-state': [{ folder: FolderRow; removed: boolean }];
}

/** States a run puts a folder in; a process that stopped mid-run left them untrue. */
const RUNNING: FolderState[] = ['scanning', 'uploading'];
/** States of folders whose last run failed and that wait for another. */
const WAITING: FolderState[] = ['retrying', 'offline', 'failed'];

export class UnknownFolderError extends Error {
  constructor(what: string) {
    super(`no folder ${what} is backed up`);
    this.name = 'UnknownFolderError';
  }
}

export class FolderModel extends EventEmitter<FolderModelEvents> {
  constructor(
    private readonly index: Index,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  list(): FolderRow[] {
    return this.index.folders();
  }

  get(id: number): FolderRow {
    const folder = this.index.folder(id);
    if (!folder) throw new UnknownFolderError(String(id));
    return folder;
  }

  byPath(path: string): FolderRow | null {
    return this.index.folderByPath(path);
  }

  /**
   * A process that stopped mid-run (killed, crashed) left folders scanning or uploading:
   * nothing runs now, and whatever that run found is not saved — they are dirty.
   */
  recoverAfterRestart(): void {
    for (const f of this.list())
      if (RUNNING.includes(f.state))
        this.write(f, { state: 'idle', changesSeen: f.changesSeen + 1 });
  }

  // ---- the user's choices ----

  /** A new folder; one brought back from the account's snapshots starts not restored. */
  add(path: string, o: { notRestored?: boolean } = {}): FolderRow {
    const state: FolderState = o.notRestored ? 'not-restored' : 'idle';
    const folder = this.index.addFolder(path, this.now(), state);
    // A new folder holds changes until its first snapshot; a not-restored one has none of its own.
    if (!o.notRestored && folder.changesSeen === 0) return this.write(folder, { changesSeen: 1 });
    this.emit('folder-state', { folder, removed: false });
    return folder;
  }

  remove(id: number): FolderRow {
    const folder = this.get(id);
    this.index.removeFolder(id);
    this.emit('folder-state', { folder, removed: true });
    return folder;
  }

  /** Paused folders are not watched or scanned; resuming brings back whatever state is next. */
  setPaused(id: number, paused: boolean): FolderRow {
    const folder = this.get(id);
    if (folder.paused === paused) return folder;
    return this.write(folder, {
      paused,
      state: paused ? 'paused' : 'idle',
      lastError: null,
      detail: {},
      // What changed while paused is not in any snapshot until the next run looks.
      ...(paused ? {} : { changesSeen: folder.changesSeen + 1 }),
    });
  }

  /**
   * Agrees to record the deletions the next scan finds (those a held folder's scan found,
   * or ones the user knows are coming): once, at the next backup of the folder.
   */
  confirmDeletions(id: number): FolderRow {
    const folder = this.get(id);
    if (folder.state === 'not-restored')
      throw new FolderStateError(folder, 'has not been restored here: restore it or start fresh');
    return this.write(folder, { deletionsConfirmed: true });
  }

  /**
   * A not-restored folder the user chose to back up as it is here now, instead of
   * restoring it: what the account held of it is replaced by this machine's copy.
   */
  startFresh(id: number): FolderRow {
    const folder = this.get(id);
    if (folder.state !== 'not-restored')
      throw new FolderStateError(folder, 'is not waiting to be restored');
    return this.write(folder, {
      state: 'idle',
      deletionsConfirmed: true,
      changesSeen: folder.changesSeen + 1,
    });
  }

  /** A not-restored folder whose restore finished: it is backed up from the restored state on. */
  restored(id: number): FolderRow {
    const folder = this.get(id);
    if (folder.state !== 'not-restored') return folder;
    return this.write(folder, { state: 'idle', changesSeen: folder.changesSeen + 1 });
  }

  /** The watcher saw something change under this folder. */
  changed(path: string): void {
    const folder = this.byPath(path);
    if (folder) this.write(folder, { changesSeen: folder.changesSeen + 1 }, false);
  }

  // ---- what a backup run reports ----

  /** The run starts scanning the folder; returns the changes seen so far, which it will save. */
  scanning(id: number): number {
    const folder = this.get(id);
    this.write(folder, { state: 'scanning' });
    return folder.changesSeen;
  }

  uploading(id: number): void {
    this.write(this.get(id), { state: 'uploading' });
  }

  /** The folder's root cannot be read: snapshots keep its last tree until it comes back. */
  missing(id: number, reason: string): void {
    this.write(this.get(id), { state: 'missing', lastError: reason, detail: {} });
  }

  /** The scan would record mass deletion: the folder keeps its last tree until the user confirms. */
  held(id: number, held: { deleted: number; total: number }, reason: string): void {
    const folder = this.get(id);
    this.write(folder, {
      state: 'held',
      lastError: reason,
      detail: { held },
      deletionsConfirmed: false,
      // The deletions are changes no snapshot holds.
      changesSeen: Math.max(folder.changesSeen, folder.changesSaved + 1),
    });
  }

  /** A snapshot now holds what the scan that began at `seenAtScan` found. */
  saved(id: number, seenAtScan: number): void {
    const folder = this.index.folder(id);
    if (!folder) return; // removed while the run read it
    this.write(folder, {
      state: folder.paused ? 'paused' : 'idle',
      lastError: null,
      detail: {},
      changesSaved: Math.max(folder.changesSaved, seenAtScan),
      deletionsConfirmed: false,
      lastScanAt: this.now(),
    });
  }

  /**
   * A run could not finish: its folders are failed, or offline when the network did not
   * answer; those whose scan had found changes are dirty, so nothing they hold is forgotten.
   * Whoever retries says when (`scheduleRetry`).
   */
  runFailed(ids: { id: number; foundChanges: boolean }[], reason: string, offline: boolean): void {
    for (const { id, foundChanges } of ids) {
      const folder = this.index.folder(id);
      if (!folder || folder.paused) continue;
      this.write(folder, {
        state: offline ? 'offline' : 'failed',
        lastError: reason,
        detail: {},
        ...(foundChanges
          ? { changesSeen: Math.max(folder.changesSeen, folder.changesSaved + 1) }
          : {}),
      });
    }
  }

  /**
   * The next attempt for every folder a failed run left behind: they wait to retry (or stay
   * offline), or — once `exhausted` — are failed, still retried at the longest interval.
   */
  scheduleRetry(retry: NonNullable<FolderStateDetail['retry']>, exhausted: boolean): void {
    for (const folder of this.list()) {
      if (!WAITING.includes(folder.state)) continue;
      const state: FolderState =
        folder.state === 'offline' ? 'offline' : exhausted ? 'failed' : 'retrying';
      this.write(folder, { state, detail: { retry } });
    }
  }

  private write(folder: FolderRow, update: FolderStateUpdate, announce = true): FolderRow {
    const changesState = update.state !== undefined && update.state !== folder.state;
    this.index.updateFolder(folder.id, {
      ...update,
      ...(changesState ? { stateSince: this.now() } : {}),
    });
    const next = this.get(folder.id);
    // A change counted while the state stays is news only where it flips "dirty".
    if (announce || next.dirty !== folder.dirty)
      this.emit('folder-state', { folder: next, removed: false });
    return next;
  }
}

/** The user asked for something the folder's state does not allow. */
export class FolderStateError extends Error {
  constructor(
    readonly folder: FolderRow,
    what: string,
  ) {
    super(`${folder.path} ${what} (it is ${folder.state})`);
    this.name = 'FolderStateError';
  }
}
