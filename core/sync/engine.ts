/**
 * The long-running engine behind `floe watch` and the desktop app: a backup at start and
 * whenever the watcher reports changes (coalesced: changes during a backup trigger one
 * more run after it, never a second run beside it), a full rescan on a timer to catch
 * what events missed, and renewal at start, on a timer and after each epoch change.
 *
 * A run that fails is retried with capped exponential backoff, and at once when the
 * network answers again; a folder whose root went missing is looked for and backed up as
 * soon as it is back. Folder states belong to the folder model (`folders`); everything
 * else the engine does is reported as events, so the CLI, the API and the tray show the
 * same thing.
 */
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import type { Index } from '../index/index.js';
import { excludePatterns, uploadOptions, type Settings } from '../index/settings.js';
import type { RepoKeys } from '../repo/keys.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { isNetworkUnavailable } from '../walrus/client/unavailable.js';
import { NothingToBackUpError, runBackup, type BackupResult } from './backup.js';
import { FolderModel } from './folder-model.js';
import { IgnoreRules } from './ignore.js';
import type { ProgressSnapshot } from './progress.js';
import { runRenewals, type RenewalRun } from './renewals.js';
import { runRetention, type RetentionRun } from './retention-schedule.js';
import { ProblemLog, recordProblems } from './problems.js';
import { SpotChecks, type SpotCheckRecord } from './spot-check-schedule.js';
import { FolderWatcher } from './watcher.js';

/** When a failed run is tried again: `firstMs`, doubling, at most `maxMs`. */
export interface RetryPolicy {
  firstMs: number;
  maxMs: number;
  /** Failed attempts after which folders show as failed (still retried every `maxMs`). */
  failedAfter: number;
}

/** 2 s, 4 s, … 15 min: a blip costs seconds, an outage is not hammered. */
export const DEFAULT_RETRY: RetryPolicy = { firstMs: 2_000, maxMs: 900_000, failedAfter: 5 };

export interface EngineOptions {
  index: Index;
  keys: RepoKeys;
  client: WalrusClient;
  /** The user's settings now; `settingsChanged` hands in new ones. */
  settings: Settings;
  epochs: number;
  /** The folder states (the API shares the engine's). */
  folders?: FolderModel;
  /** Full rescan of every folder this often (events can be missed). */
  rescanIntervalMs?: number;
  /** Renewal runs this often even without an epoch change. */
  renewIntervalMs?: number;
  /** How often the chain is asked whether the epoch changed. */
  epochPollMs?: number;
  /** While offline or a folder is missing: how often the network and the roots are probed. */
  probeIntervalMs?: number;
  retry?: RetryPolicy;
  debounceMs?: number;
  /** Automatic retention runs at most this often, after a backup (default daily). */
  retentionIntervalMs?: number;
  /** How often the engine looks whether the scheduled spot-check is due (default 10 min). */
  spotCheckPollMs?: number;
}

export type { RenewalRun };

export interface EngineFailure {
  during: 'backup' | 'renewal' | 'retention' | 'watch' | 'spot-check';
  message: string;
  /** A failed backup: which attempt failed, and when the next one runs. */
  retry?: { attempt: number; nextAt: number };
  /** The network could not be reached (the retry runs as soon as it answers). */
  offline?: boolean;
}

export interface EngineEvents {
  progress: [ProgressSnapshot];
  backup: [BackupResult];
  renewal: [RenewalRun];
  retention: [RetentionRun];
  /** A spot-check finished (spot-check-schedule.ts), and one's progress while it runs. */
  'spot-check': [SpotCheckRecord];
  'spot-check-progress': [ProgressSnapshot];
  /** The Problems list changed (`problems.list()` has it). */
  problems: [];
  // Not 'error': an unheard 'error' event would throw, and a failed run must never kill the engine.
  failure: [EngineFailure];
  idle: [];
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly folders: FolderModel;
  /** One entry per condition that went wrong, counted and resolved (problems.ts). */
  readonly problems: ProblemLog;
  /** Spot-checks of the storage nodes: on the `spotCheck` schedule, and on request. */
  readonly spotChecks: SpotChecks;
  private settings: Settings;
  private watcher: FolderWatcher;
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private lastEpoch = -1;
  private stopped = false;
  /** Renewal runs one after another: two at once would each extend the same blobs. */
  private renewals: Promise<unknown> = Promise.resolve();
  /** Consecutive failed backup runs, and the timer of the next attempt. */
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private offline = false;
  private probing = false;
  /** Retention in progress: a backup waits for it, as it must not dedup against what it retires. */
  private maintaining: Promise<unknown> = Promise.resolve();
  paused = false;

  constructor(private readonly o: EngineOptions) {
    super();
    this.settings = o.settings;
    this.folders = o.folders ?? new FolderModel(o.index);
    this.problems = new ProblemLog(o.index);
    this.spotChecks = new SpotChecks({ index: o.index, client: o.client }, () => this.settings, {
      onProgress: (p) => this.emit('spot-check-progress', p),
      onCheck: (r) => this.emit('spot-check', r),
    });
    recordProblems(this, this.problems, () => this.emit('problems'));
    this.watcher = this.newWatcher();
  }

  /** The watcher under the current settings (excludes; latency vs batching). */
  private newWatcher(): FolderWatcher {
    return new FolderWatcher({
      debounceMs: this.o.debounceMs ?? 2_000,
      maxWaitMs: this.settings.packMaxWaitMs,
      rules: IgnoreRules.of(excludePatterns(this.settings)),
      // Dirty from the first event: "synced" is never said while a change waits out the debounce.
      onChangeSeen: (folder) => this.folders.changed(folder),
      onChanges: () => this.requestBackup(),
      onError: (folder, error) =>
        this.emit('failure', { during: 'watch', message: `${folder}: ${error.message}` }),
    });
  }

  async start(): Promise<void> {
    this.folders.recoverAfterRestart();
    await this.watchFolders();
    await this.renew();
    // Stopped while starting (the app quit at once): no timers may outlive stop().
    if (this.stopped) return;
    this.requestBackup();
    this.every(this.o.rescanIntervalMs ?? 3_600_000, () => this.requestBackup());
    this.every(this.o.renewIntervalMs ?? 3_600_000, () => void this.renew());
    this.every(this.o.epochPollMs ?? 30_000, () => void this.checkEpoch());
    this.every(this.o.probeIntervalMs ?? 5_000, () => void this.probe());
    this.every(this.o.spotCheckPollMs ?? 600_000, () => void this.spotCheckIfDue());
  }

  private async spotCheckIfDue(): Promise<void> {
    if (this.stopped || this.paused) return;
    try {
      await this.spotChecks.runIfDue();
    } catch (error) {
      const offline = isNetworkUnavailable(error);
      this.emit('failure', { during: 'spot-check', message: (error as Error).message, offline });
    }
  }

  /**
   * New settings apply now: the watcher follows the new excludes and wait limits, the
   * client the new upload limit and relay. (The network is the one setting that needs the
   * engine started again.)
   */
  async settingsChanged(settings: Settings): Promise<void> {
    this.settings = settings;
    this.o.client.setUploadOptions(uploadOptions(settings));
    await this.watcher.close();
    this.watcher = this.newWatcher();
    await this.watchFolders();
  }

  private watched(): string[] {
    return this.folders
      .list()
      .filter((f) => !f.paused && f.state !== 'not-restored')
      .map((f) => f.path);
  }

  private async watchFolders(): Promise<void> {
    for (const path of this.watched()) await this.watcher.add(path);
  }

  /** Starts watching a folder added or resumed while running, and backs it up. */
  async addFolder(path: string): Promise<void> {
    await this.watcher.add(path);
    this.requestBackup();
  }

  async removeFolder(path: string): Promise<void> {
    await this.watcher.remove(path);
  }

  /** Runs a backup now, or once more after the one in progress. */
  requestBackup(): void {
    if (this.stopped || this.paused) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.running = this.backupLoop().finally(() => {
      this.running = null;
      if (!this.stopped) this.emit('idle');
    });
  }

  /** Resolves when no backup is running or queued. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.watcher.close();
    await this.settled();
    await this.renewals;
    await this.spotChecks.settled();
  }

  private async backupLoop(): Promise<void> {
    await this.maintaining;
    do {
      this.again = false;
      const { index, keys, client, epochs } = this.o;
      if (!this.folders.list().some((f) => !f.paused && f.state !== 'not-restored')) return;
      let result: BackupResult;
      try {
        // An epoch began since the last renewal: renew first, so that what became due is
        // extended before deduplication refuses to build on it.
        await this.checkEpoch();
        result = await runBackup(
          {
            index,
            keys,
            client,
            epochs,
            folders: this.folders,
            excludes: excludePatterns(this.settings),
            holdDeletionsPercent: this.settings.holdDeletionsPercent,
          },
          (p) => this.emit('progress', p),
        );
      } catch (error) {
        // Every folder missing, held or waiting to be restored: their states say so, and
        // what brings them back (the root returning, the user's answer) starts the next run.
        if (!(error instanceof NothingToBackUpError)) this.failed(error);
        return;
      }
      this.failures = 0;
      this.offline = false;
      this.emit('backup', result);
      // New blobs may have been certified after the last renewal looked (a store that
      // crossed an epoch change): look again now rather than at the next epoch, when a
      // blob bought for a short term could already be gone.
      if (!result.unchanged) await this.renew();
      await this.retain({});
    } while (this.again && !this.stopped && !this.paused);
  }

  /**
   * Forgets and prunes by the retention settings when due (see retention-schedule.ts);
   * `force` runs it now, `approve` gives the user's consent to delete. Never beside a
   * backup: one that deduplicated against a pack retention retires would lose data.
   */
  async retentionNow(o: { approve?: boolean } = {}): Promise<RetentionRun> {
    while (this.running) await this.running;
    return this.retain({ force: true, ...o });
  }

  private async retain(o: { force?: boolean; approve?: boolean }): Promise<RetentionRun> {
    const { index, keys, client } = this.o;
    const run = this.maintaining.then(() =>
      runRetention({ index, keys, client }, this.settings, {
        ...o,
        ...(this.o.retentionIntervalMs !== undefined
          ? { intervalMs: this.o.retentionIntervalMs }
          : {}),
      }),
    );
    this.maintaining = run.catch(() => undefined);
    try {
      const result = await run;
      if (result.ran || result.waitingForApproval) this.emit('retention', result);
      // What retention let go is deleted now, so its storage returns today.
      if (result.ran && (result.report.deadPacks > 0 || result.report.forgotten.length > 0))
        await this.renew();
      return result;
    } catch (error) {
      this.emit('failure', { during: 'retention', message: (error as Error).message });
      if (o.force) throw error;
      return { ran: false, waitingForApproval: false, plan: null };
    }
  }

  /** A run failed: the folders wait for the next attempt, which is scheduled here. */
  private failed(error: unknown): void {
    const message = (error as Error).message;
    this.failures++;
    this.offline = isNetworkUnavailable(error);
    const policy = this.o.retry ?? DEFAULT_RETRY;
    const delay = Math.min(policy.firstMs * 2 ** (this.failures - 1), policy.maxMs);
    const retry = { attempt: this.failures, nextAt: Date.now() + delay };
    this.folders.scheduleRetry(retry, this.failures >= policy.failedAfter);
    this.emit('failure', { during: 'backup', message, retry, offline: this.offline });
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.requestBackup();
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * While a retry waits because the network did not answer, ask it again every few
   * seconds and retry the moment it does; look for missing folders' roots likewise.
   */
  private async probe(): Promise<void> {
    if (this.probing || this.stopped || this.paused || this.running) return;
    this.probing = true;
    try {
      let retryNow = false;
      if (this.offline && this.retryTimer) {
        retryNow = await this.o.client.chain.systemState().then(
          () => true,
          () => false,
        );
      }
      for (const f of this.folders.list()) {
        if (f.state !== 'missing' || f.paused) continue;
        const back = await stat(f.path).then(
          (st) => st.isDirectory(),
          () => false,
        );
        if (!back) continue;
        // Watched afresh: a watcher on a root that vanished may hear nothing any more.
        await this.watcher.remove(f.path);
        await this.watcher.add(f.path);
        retryNow = true;
      }
      if (retryNow) this.requestBackup();
    } finally {
      this.probing = false;
    }
  }

  /**
   * Renews under the user's policy, after any run already in progress. A dry run only
   * plans; a real one is reported as a `renewal` event wherever it was started.
   */
  async renewNow(dryRun = false): Promise<RenewalRun> {
    const { client, index } = this.o;
    const run = this.renewals.then(() => runRenewals(client, index, this.settings.renewal, dryRun));
    this.renewals = run.catch(() => undefined);
    const report = await run;
    if (!dryRun) {
      this.lastEpoch = report.epoch;
      this.emit('renewal', report);
      for (const message of report.errors) this.emit('failure', { during: 'renewal', message });
    }
    return report;
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.renewNow();
    } catch (error) {
      this.renewalFailed(error);
    }
  }

  private async checkEpoch(): Promise<void> {
    try {
      const { epoch } = await this.o.client.chain.systemState();
      if (epoch !== this.lastEpoch) await this.renew();
    } catch (error) {
      this.renewalFailed(error);
    }
  }

  private renewalFailed(error: unknown): void {
    const offline = isNetworkUnavailable(error);
    this.emit('failure', { during: 'renewal', message: (error as Error).message, offline });
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }
}
