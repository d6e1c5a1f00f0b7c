/**
 * The event stream (GET /api/events) and what it has said since the window opened: the
 * backup in progress and the backups that finished. Screens come and go; this outlives
 * them. (What went wrong is the server's Problems list, GET /api/problems, which survives
 * a reload: the `problems` event says when it changed.)
 */
import type { BackupEvent, LiveEvents, ProgressSnapshot } from './wire.js';

type Listener<T> = (data: T) => void;

/** EventSource retries by itself after a dropped connection; this is for when it gives up. */
const RECONNECT_MS = 3_000;
const KEEP = 50;

export class Live {
  /** The backup running now, if any. */
  progress: ProgressSnapshot | null = null;
  /** Newest first. */
  readonly backups: BackupEvent[] = [];
  connected = false;

  private source: EventSource | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Map<string, Set<Listener<never>>>();

  constructor(private readonly url: string) {}

  start(): void {
    const source = new EventSource(this.url);
    this.source = source;
    source.onopen = () => this.setConnected(true);
    source.onerror = () => {
      this.setConnected(false);
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        this.retry = setTimeout(() => this.start(), RECONNECT_MS);
      }
    };
    for (const name of EVENT_NAMES)
      source.addEventListener(name, (e) =>
        this.receive(name, JSON.parse((e as MessageEvent<string>).data)),
      );
  }

  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
  }

  /** Calls `listener` for each `name` event; returns the unsubscribe. */
  on<K extends keyof LiveEvents>(name: K, listener: Listener<LiveEvents[K]>): () => void;
  on(name: 'connection', listener: Listener<boolean>): () => void;
  on(name: string, listener: Listener<never>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private receive<K extends keyof LiveEvents>(name: K, data: LiveEvents[K]): void {
    this.remember(name, data);
    this.emit(name, data);
  }

  private remember<K extends keyof LiveEvents>(name: K, data: LiveEvents[K]): void {
    if (name === 'progress') this.progress = data as ProgressSnapshot;
    else if (name === 'idle') this.progress = null;
    else if (name === 'backup') {
      const backup = data as BackupEvent;
      this.progress = null;
      // A run that found nothing new announces the snapshot that still stands: not a new row.
      if (!this.backups.some((b) => b.snapshot.id === backup.snapshot.id))
        this.backups.unshift(backup);
    } else if (name === 'failure') {
      if ((data as LiveEvents['failure']).during === 'backup') this.progress = null;
    }
    this.backups.splice(KEEP);
  }

  private setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.emit('connection', connected);
  }

  private emit(name: string, data: unknown): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as Listener<unknown>)(data);
  }
}

const EVENT_NAMES: (keyof LiveEvents)[] = [
  'progress',
  'backup',
  'renewal',
  'failure',
  'idle',
  'folder-state',
  'restore-progress',
  'retention',
  'problems',
  'spot-check-progress',
  'spot-check',
];
