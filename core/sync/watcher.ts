/**
 * Watches the chosen folders (chokidar) and turns bursts of file events into one batch
 * per folder: a batch fires once a folder has been quiet for `debounceMs`, or at the
 * latest `maxWaitMs` after its first event, so a long copy still gets backed up as it
 * goes. Events can be missed (sleep, full inotify queues), which is why the engine also
 * rescans on start and periodically; the watcher only makes changes arrive sooner.
 */
import { relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { IgnoreRules } from './ignore.js';

export interface WatcherOptions {
  debounceMs?: number;
  maxWaitMs?: number;
  rules?: IgnoreRules;
  onChanges: (folder: string, paths: string[]) => void;
  /** The first change of a batch, at once — before the debounce lets the batch go. */
  onChangeSeen?: (folder: string) => void;
  onError?: (folder: string, error: Error) => void;
}

interface Pending {
  paths: Set<string>;
  quiet: NodeJS.Timeout;
  deadline: NodeJS.Timeout;
}

export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pending = new Map<string, Pending>();
  /** Watchers not ready yet, with what ends their add(). */
  private readonly starting = new Map<FSWatcher, () => void>();
  private closed = false;

  constructor(private readonly o: WatcherOptions) {}

  async add(folder: string): Promise<void> {
    // After close() (the engine stopping while it still starts) nothing is watched again.
    if (this.closed || this.watchers.has(folder)) return;
    const rules = this.o.rules;
    const w = watch(folder, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: rules
        ? (path: string, stats?: { isDirectory(): boolean }) => {
            const rel = relative(folder, path).split(sep).join('/');
            return (
              rel !== '' &&
              rules.ignores(Buffer.from(rel).toString('latin1'), stats?.isDirectory() ?? false)
            );
          }
        : [],
    });
    // Registered before it is ready, so that a close() during start-up closes it too; and
    // events are dropped once it is no longer ours (chokidar can emit while closing).
    this.watchers.set(folder, w);
    const ours = () => this.watchers.get(folder) === w;
    w.on('all', (_event, path) => {
      if (ours()) this.touch(folder, relative(folder, path).split(sep).join('/'));
    });
    w.on('error', (error) => {
      if (ours()) this.o.onError?.(folder, error as Error);
    });
    // A watcher closed before it is ready never emits 'ready'.
    await new Promise<void>((resolve) => {
      w.once('ready', resolve);
      this.starting.set(w, resolve);
    });
    this.starting.delete(w);
  }

  async remove(folder: string): Promise<void> {
    const w = this.watchers.get(folder);
    this.watchers.delete(folder);
    this.clear(folder);
    if (!w) return;
    this.starting.get(w)?.();
    await w.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.watchers.keys()].map((f) => this.remove(f)));
  }

  private touch(folder: string, path: string): void {
    const debounce = this.o.debounceMs ?? 2_000;
    const p = this.pending.get(folder);
    if (p) {
      p.paths.add(path);
      p.quiet.refresh();
      return;
    }
    const fire = () => this.fire(folder);
    this.o.onChangeSeen?.(folder);
    this.pending.set(folder, {
      paths: new Set([path]),
      quiet: setTimeout(fire, debounce),
      deadline: setTimeout(fire, this.o.maxWaitMs ?? 30_000),
    });
  }

  private fire(folder: string): void {
    const p = this.pending.get(folder);
    if (!p) return;
    this.clear(folder);
    this.o.onChanges(folder, [...p.paths].sort());
  }

  private clear(folder: string): void {
    const p = this.pending.get(folder);
    if (!p) return;
    clearTimeout(p.quiet);
    clearTimeout(p.deadline);
    this.pending.delete(folder);
  }
}
