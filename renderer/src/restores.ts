/**
 * Restore jobs started from this window, followed until they end. `restore-progress`
 * events carry each update as it happens; the job is also polled, because a small restore
 * can finish before its first event reaches us, and events sent while the stream was
 * reconnecting are not replayed.
 */
import type { Api } from './api.js';
import type { Live } from './live.js';
import type { RestoreJob, RestoreRequest } from './wire.js';

const POLL_MS = 1_000;

export class RestoreTracker {
  /** Newest first. */
  readonly jobs: RestoreJob[] = [];
  private readonly listeners = new Set<() => void>();
  private poller: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: Api,
    live: Live,
  ) {
    live.on('restore-progress', (job) => this.update(job));
  }

  async start(request: RestoreRequest): Promise<RestoreJob> {
    const job = await this.api.startRestore(request);
    this.jobs.unshift(job);
    this.changed();
    this.poller ??= setInterval(() => void this.poll(), POLL_MS);
    return job;
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(job: RestoreJob): void {
    const i = this.jobs.findIndex((j) => j.id === job.id);
    // A job another window started is not ours to show; a finished one is not reopened.
    if (i < 0 || this.jobs[i]!.state !== 'running') return;
    this.jobs[i] = job;
    this.changed();
  }

  private async poll(): Promise<void> {
    const running = this.jobs.filter((j) => j.state === 'running');
    if (!running.length) {
      if (this.poller) clearInterval(this.poller);
      this.poller = null;
      return;
    }
    for (const job of running) {
      // A failed poll (Floe restarting) is tried again at the next tick.
      const latest = await this.api.restore(job.id).catch(() => null);
      if (latest) this.update(latest);
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
