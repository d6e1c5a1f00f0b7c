/**
 * What the UI sees happen, as server-sent events: the engine's `progress`, `backup`,
 * `renewal`, `failure` and `idle`; `restore-progress` from restore jobs; and
 * `folder-state` whenever a folder's row changes (added, removed, paused, scanning,
 * uploading, idle, failed). The engine has no folder event of its own, so the folder rows
 * are compared after each thing the engine reports and each change made through the API.
 *
 * Progress arrives once per file — thousands a second for small files — so it goes out
 * at most once per `PROGRESS_INTERVAL_MS` per job, the latest always delivered, and never
 * after the event that ends the job.
 */
import type { Index } from '../index/index.js';
import type { BackupResult } from '../sync/backup.js';
import type { Engine, EngineEvents } from '../sync/engine.js';
import type { ProgressSnapshot } from '../sync/progress.js';
import type { RenewalReport } from '../sync/renewals.js';
import { nameToText } from './names.js';
import type { RestoreJob, RestoreJobs } from './restore-jobs.js';
import type { EventStreams } from './sse.js';

const PROGRESS_INTERVAL_MS = 250;

export class EventFeed {
  private readonly throttle = new Throttle(PROGRESS_INTERVAL_MS);
  private readonly detach: (() => void)[] = [];
  private folders: string;

  constructor(
    engine: Engine,
    jobs: RestoreJobs,
    private readonly index: Index,
    private readonly streams: EventStreams,
  ) {
    this.folders = JSON.stringify(index.folders());
    const listeners = {
      progress: (p: ProgressSnapshot) =>
        this.throttle.run('backup', () => {
          streams.send('progress', p);
          this.foldersChanged();
        }),
      backup: (result: BackupResult) => {
        this.throttle.flush('backup');
        streams.send('backup', backupView(result));
        this.foldersChanged();
      },
      failure: (failure: EngineEvents['failure'][0]) => {
        this.throttle.flush('backup');
        streams.send('failure', failure);
        this.foldersChanged();
      },
      idle: () => {
        streams.send('idle', {});
        this.foldersChanged();
      },
      renewal: (report: RenewalReport) => this.renewal(report),
    };
    engine
      .on('progress', listeners.progress)
      .on('backup', listeners.backup)
      .on('failure', listeners.failure)
      .on('idle', listeners.idle)
      .on('renewal', listeners.renewal);
    this.detach.push(() =>
      engine
        .off('progress', listeners.progress)
        .off('backup', listeners.backup)
        .off('failure', listeners.failure)
        .off('idle', listeners.idle)
        .off('renewal', listeners.renewal),
    );
    const onJob = (job: RestoreJob) => {
      const send = () => streams.send('restore-progress', job);
      if (job.state === 'running') this.throttle.run(`restore ${job.id}`, send);
      else this.throttle.finish(`restore ${job.id}`, send);
    };
    jobs.on('update', onJob);
    this.detach.push(() => jobs.off('update', onJob));
  }

  /** A renewal run's outcome, whether the engine's timer or the API started it. */
  renewal(r: RenewalReport): void {
    // Fields named: the engine's report also carries the plan, whole blob objects and all.
    this.streams.send('renewal', {
      epoch: r.epoch,
      extended: r.extended,
      deleted: r.deleted,
      costFrost: r.costFrost,
      errors: r.errors,
      nextExpiryEpoch: r.nextExpiryEpoch,
    });
  }

  /** Sends `folder-state` with every folder if any folder's row differs from the last sent. */
  foldersChanged(): void {
    const folders = this.index.folders();
    const now = JSON.stringify(folders);
    if (now === this.folders) return;
    this.folders = now;
    this.streams.send('folder-state', { folders });
  }

  close(): void {
    for (const d of this.detach) d();
    this.throttle.cancel();
  }
}

function backupView(r: BackupResult) {
  return {
    snapshot: {
      id: r.snapshot.id,
      time: r.snapshot.time,
      folders: r.snapshot.roots.map((root) => root.path),
      stats: r.snapshot.stats,
    },
    unchanged: r.unchanged,
    files: r.files,
    newBytes: r.newBytes,
    dedupedBytes: r.dedupedBytes,
    packs: r.packs,
    issues: r.issues.map((i) => ({
      folder: i.folder,
      path: nameToText(i.relPath),
      code: i.code,
      message: i.message,
    })),
  };
}

/** Per key: send now if the last send was long enough ago, else once at the interval's end. */
class Throttle {
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; send: () => void }>();

  constructor(private readonly intervalMs: number) {}

  run(key: string, send: () => void): void {
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.send = send;
      return;
    }
    const wait = (this.lastSent.get(key) ?? -Infinity) + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.lastSent.set(key, Date.now());
      send();
      return;
    }
    const timer = setTimeout(() => this.flush(key), wait);
    this.pending.set(key, { timer, send });
  }

  /** Sends what is waiting under `key` now. */
  flush(key: string): void {
    const waiting = this.pending.get(key);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(key);
    this.lastSent.set(key, Date.now());
    waiting.send();
  }

  /** The last event of a key: replaces whatever waits, goes out now, and the key is forgotten. */
  finish(key: string, send: () => void): void {
    clearTimeout(this.pending.get(key)?.timer);
    this.pending.delete(key);
    this.lastSent.delete(key);
    send();
  }

  cancel(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
