/**
 * Progress of one long job (a backup, a restore, a store): files and bytes done out of a
 * total, a smoothed rate and the time left. The CLI, the API and the UI all render the
 * same `ProgressSnapshot`, so "how far along is it" has one definition.
 */

export interface ProgressSnapshot {
  phase: string;
  filesDone: number;
  filesTotal: number | null;
  bytesDone: number;
  bytesTotal: number | null;
  /** Bytes per second, smoothed over the last several seconds. */
  rate: number;
  /** Seconds left at the current rate; null while the total or the rate is unknown. */
  etaSeconds: number | null;
  elapsedSeconds: number;
  currentPath: string | null;
}

/**
 * Rate is an exponentially weighted moving average over samples taken at least
 * `SAMPLE_INTERVAL_MS` apart: a plain average since the start hides stalls, and an
 * instantaneous one jumps with every network burst.
 */
const SAMPLE_INTERVAL_MS = 500;
const SMOOTHING_WINDOW_MS = 5_000;

export class ProgressTracker {
  private filesDone = 0;
  private bytesDone = 0;
  private filesTotal: number | null = null;
  private bytesTotal: number | null = null;
  private phase: string;
  private currentPath: string | null = null;
  private rate = 0;
  private lastSampleAt: number;
  private lastSampleBytes = 0;
  private readonly startedAt: number;

  constructor(
    phase: string,
    private readonly now: () => number = Date.now,
  ) {
    this.phase = phase;
    this.startedAt = now();
    this.lastSampleAt = this.startedAt;
  }

  setPhase(phase: string): void {
    this.phase = phase;
  }

  setTotals(totals: { files?: number | null; bytes?: number | null }): void {
    if (totals.files !== undefined) this.filesTotal = totals.files;
    if (totals.bytes !== undefined) this.bytesTotal = totals.bytes;
  }

  addTotals(files: number, bytes: number): void {
    this.filesTotal = (this.filesTotal ?? 0) + files;
    this.bytesTotal = (this.bytesTotal ?? 0) + bytes;
  }

  advance(bytes: number, files = 0, currentPath?: string): void {
    this.bytesDone += bytes;
    this.filesDone += files;
    if (currentPath !== undefined) this.currentPath = currentPath;
    this.sample();
  }

  private sample(): void {
    const t = this.now();
    const dt = t - this.lastSampleAt;
    if (dt < SAMPLE_INTERVAL_MS) return;
    const instant = ((this.bytesDone - this.lastSampleBytes) * 1000) / dt;
    const weight = Math.min(1, dt / SMOOTHING_WINDOW_MS);
    this.rate = this.rate === 0 ? instant : this.rate + weight * (instant - this.rate);
    this.lastSampleAt = t;
    this.lastSampleBytes = this.bytesDone;
  }

  snapshot(): ProgressSnapshot {
    const elapsedSeconds = (this.now() - this.startedAt) / 1000;
    // Before the first sample the overall average is the best estimate there is.
    const rate =
      this.rate > 0 ? this.rate : elapsedSeconds > 0 ? this.bytesDone / elapsedSeconds : 0;
    const remaining =
      this.bytesTotal === null ? null : Math.max(0, this.bytesTotal - this.bytesDone);
    const etaSeconds =
      remaining === null ? null : remaining === 0 ? 0 : rate > 0 ? remaining / rate : null;
    return {
      phase: this.phase,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      rate,
      etaSeconds,
      elapsedSeconds,
      currentPath: this.currentPath,
    };
  }
}
