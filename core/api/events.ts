/**
 * What the UI sees happen, as server-sent events: the engine's `progress`, `backup`,
 * `renewal`, `failure`, `idle`, `spot-check-progress` and `spot-check`; `restore-progress` from restore jobs; and
 * `folder-state`, as the folder model announces it — the folder that changed (or was
 * removed) and the list as it is now.
 *
 * Progress arrives once per file — thousands a second for small files — so it goes out
 * at most once per `PROGRESS_INTERVAL_MS` per job, the latest always delivered, and never
 * after the event that ends the job.
 */
import type { BackupResult } from '../sync/backup.js';
import type { Engine, EngineEvents } from '../sync/engine.js';
import type { FolderModelEvents } from '../sync/folder-model.js';
import type { ProgressSnapshot } from '../sync/progress.js';
import type { RenewalReport } from '../sync/renewals.js';
import type { RetentionRun } from '../sync/retention-schedule.js';
import type { SpotCheckRecord } from '../sync/spot-check-schedule.js';
import { nameToText } from '../repo/names.js';
import type { RestoreJob, RestoreJobs } from './restore-jobs.js';
import type { EventStreams } from './sse.js';

const PROGRESS_INTERVAL_MS = 250;

export class EventFeed {
  private readonly throttle = new Throttle(PROGRESS_INTERVAL_MS);
  private readonly detach: (() => void)[] = [];
  constructor(
    engine: Engine,
    jobs: RestoreJobs,
    private readonly streams: EventStreams,
  ) {
    const listeners = {
      progress: (p: ProgressSnapshot) =>
        this.throttle.run('backup', () => streams.send('progress', p)),
      backup: (result: BackupResult) => {
        this.throttle.flush('backup');
        streams.send('backup', backupView(result));
      },
      failure: (failure: EngineEvents['failure'][0]) => {
        this.throttle.flush('backup');
        streams.send('failure', failure);
      },
      idle: () => streams.send('idle', {}),
      renewal: (report: RenewalReport) => this.renewal(report),
      retention: (run: RetentionRun) => streams.send('retention', run),
      problems: () => streams.send('problems', { problems: engine.problems.list() }),
      spotCheckProgress: (p: ProgressSnapshot) =>
        this.throttle.run('spot-check', () => streams.send('spot-check-progress', p)),
      spotCheck: (record: SpotCheckRecord) =>
        this.throttle.finish('spot-check', () => streams.send('spot-check', record)),
    };
    const folders = engine.folders;
    const onFolder = ({ folder, removed }: FolderModelEvents['folder-state'][0]) =>
      streams.send('folder-state', { folder, removed, folders: folders.list() });
    folders.on('folder-state', onFolder);
    this.detach.push(() => folders.off('folder-state', onFolder));
    engine
      .on('progress', listeners.progress)
      .on('backup', listeners.backup)
      .on('failure', listeners.failure)
      .on('idle', listeners.idle)
      .on('renewal', listeners.renewal)
      .on('retention', listeners.retention)
      .on('problems', listeners.problems)
      .on('spot-check-progress', listeners.spotCheckProgress)
      .on('spot-check', listeners.spotCheck);
    this.detach.push(() =>
      engine
        .off('progress', listeners.progress)
        .off('backup', listeners.backup)
        .off('failure', listeners.failure)
        .off('idle', listeners.idle)
        .off('renewal', listeners.renewal)
        .off('retention', listeners.retention)
        .off('problems', listeners.problems)
        .off('spot-check-progress', listeners.spotCheckProgress)
        .off('spot-check', listeners.spotCheck),
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
    folders: r.folders,
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
