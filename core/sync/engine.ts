/**
 * The long-running engine behind `floe watch` and the desktop app: a backup at start and
 * whenever the watcher reports changes (coalesced: changes during a backup trigger one
 * more run after it, never a second run beside it), a full rescan on a timer to catch
 * what events missed, and renewal at start, on a timer and after each epoch change.
 * Everything it does is reported as events, so the CLI, the API and the tray show the
 * same thing.
 */
import { EventEmitter } from 'node:events';
import type { Index } from '../index/index.js';
import type { RepoKeys } from '../repo/keys.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { runBackup, type BackupResult } from './backup.js';
import { IgnoreRules } from './ignore.js';
import type { ProgressSnapshot } from './progress.js';
import { excludePatterns, readSettings } from '../index/settings.js';
import { runRenewals, type RenewalAction, type RenewalReport } from './renewals.js';
import { FolderWatcher } from './watcher.js';

export interface EngineOptions {
  index: Index;
  keys: RepoKeys;
  client: WalrusClient;
  epochs: number;
  /** Full rescan of every folder this often (events can be missed). */
  rescanIntervalMs?: number;
  /** Renewal runs this often even without an epoch change. */
  renewIntervalMs?: number;
  /** How often the chain is asked whether the epoch changed. */
  epochPollMs?: number;
  debounceMs?: number;
}

export type RenewalRun = RenewalReport & { plan: RenewalAction[] };

export interface EngineEvents {
  progress: [ProgressSnapshot];
  backup: [BackupResult];
  renewal: [RenewalRun];
  /** A folder's state changed (scanning, uploading, idle, paused, error). */
  'folder-state': [];
  // Not 'error': an unheard 'error' event would throw, and a failed run must never kill the engine.
  failure: [{ during: 'backup' | 'renewal' | 'watch'; message: string }];
  idle: [];
}

export class Engine extends EventEmitter<EngineEvents> {
  private watcher: FolderWatcher;
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private lastEpoch = -1;
  private stopped = false;
  /** Renewal runs one after another: two at once would each extend the same blobs. */
  private renewals: Promise<unknown> = Promise.resolve();
  paused = false;

  constructor(private readonly o: EngineOptions) {
    super();
    this.watcher = this.newWatcher();
  }

  /** The watcher under the current settings (excludes; latency vs batching). */
  private newWatcher(): FolderWatcher {
    const settings = readSettings(this.o.index);
    return new FolderWatcher({
      debounceMs: this.o.debounceMs ?? 2_000,
      maxWaitMs: settings.packMaxWaitMs,
      rules: IgnoreRules.of(excludePatterns(settings)),
      onChanges: () => this.requestBackup(),
      onError: (folder, error) =>
        this.emit('failure', { during: 'watch', message: `${folder}: ${error.message}` }),
    });
  }

  async start(): Promise<void> {
    await this.watchFolders();
    await this.renew();
    this.requestBackup();
    this.every(this.o.rescanIntervalMs ?? 3_600_000, () => this.requestBackup());
    this.every(this.o.renewIntervalMs ?? 3_600_000, () => void this.renew());
    this.every(this.o.epochPollMs ?? 30_000, () => void this.checkEpoch());
  }

  /** Settings changed: watch again under the new excludes and wait limits. */
  async settingsChanged(): Promise<void> {
    await this.watcher.close();
    this.watcher = this.newWatcher();
    await this.watchFolders();
  }

  private async watchFolders(): Promise<void> {
    for (const f of this.o.index.folders()) if (!f.paused) await this.watcher.add(f.path);
  }

  /** Starts watching a folder added while running, and backs it up. */
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
    await this.watcher.close();
    await this.settled();
    await this.renewals;
  }

  private async backupLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        const { index, keys, client, epochs } = this.o;
        if (!index.folders().some((f) => !f.paused)) return;
        const excludes = excludePatterns(readSettings(index));
        const result = await runBackup(
          { index, keys, client, epochs, excludes, onFolderState: () => this.emit('folder-state') },
          (p) => this.emit('progress', p),
        );
        this.emit('backup', result);
        // New blobs may have been certified after the last renewal looked (a store that
        // crossed an epoch change): look again now rather than at the next epoch, when a
        // blob bought for a short term could already be gone.
        if (!result.unchanged) await this.renew();
      } catch (error) {
        this.emit('failure', { during: 'backup', message: (error as Error).message });
        return; // the next change, rescan or timer tries again
      }
    } while (this.again && !this.stopped && !this.paused);
  }

  /**
   * Renews under the user's policy, after any run already in progress. A dry run only
   * plans; a real one is reported as a `renewal` event wherever it was started.
   */
  async renewNow(dryRun = false): Promise<RenewalRun> {
    const { client, index } = this.o;
    const run = this.renewals.then(() =>
      runRenewals(client, index, readSettings(index).renewal, dryRun),
    );
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
      this.emit('failure', { during: 'renewal', message: (error as Error).message });
    }
  }

  private async checkEpoch(): Promise<void> {
    try {
      const { epoch } = await this.o.client.chain.systemState();
      if (epoch !== this.lastEpoch) await this.renew();
    } catch (error) {
      this.emit('failure', { during: 'renewal', message: (error as Error).message });
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }
}
