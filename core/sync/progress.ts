/**
 * Progress of one long job (a backup, a restore, a store): files and bytes done out of a
 * total, a smoothed rate and the time left. The CLI, the API and the UI all render the
 * same `ProgressSnapshot`, so "how far along is it" has one definition.
 */

export interface ProgressSnapshot {
  /** What the job is doing now (a backup: scanning, reading, uploading, certifying, saving). */
  phase: string;
  /** Files (not directories) done and to do. */
  filesDone: number;
  filesTotal: number | null;
  bytesDone: number;
  bytesTotal: number | null;
  /** Bytes per second over the last few seconds (see RATE_WINDOW_MS). */
  rate: number;
  /** Seconds left at the current rate; null while the total or the rate is unknown. */
  etaSeconds: number | null;
  elapsedSeconds: number;
  currentPath: string | null;
  /**
   * The part of the phase that has its own measure, when there is one — the last pack's
   * upload after every file was read: bytes sent of the encoded total.
   */
  step: { bytesDone: number; bytesTotal: number } | null;
}

/**
 * The rate is bytes moved over a moving window of recent samples: a plain average since
 * the start hides stalls and counts the start-up (listing blobs, reading the index) as
 * slowness, and an exponential average seeded by the first, slow sample takes many
 * seconds to forget it — a 2.5-second restore read "5 KiB/s, about 23 s" at 99 %.
 */
const RATE_WINDOW_MS = 8_000;
const SAMPLE_INTERVAL_MS = 250;

export class ProgressTracker {
  private filesDone = 0;
  private bytesDone = 0;
  private filesTotal: number | null = null;
  private bytesTotal: number | null = null;
  private phase: string;
  private currentPath: string | null = null;
  private step: ProgressSnapshot['step'] = null;
  private measured = true;
  /** (time, bytes done) samples, oldest first, the first taken when the first bytes moved. */
  private readonly samples: { at: number; bytes: number }[] = [];
  private readonly startedAt: number;

  constructor(
    phase: string,
    private readonly now: () => number = Date.now,
  ) {
    this.phase = phase;
    this.startedAt = now();
  }

  setPhase(phase: string): void {
    this.phase = phase;
    this.step = null;
  }

  setTotals(totals: { files?: number | null; bytes?: number | null }): void {
    if (totals.files !== undefined) this.filesTotal = totals.files;
    if (totals.bytes !== undefined) this.bytesTotal = totals.bytes;
  }

  addTotals(files: number, bytes: number): void {
    this.filesTotal = (this.filesTotal ?? 0) + files;
    this.bytesTotal = (this.bytesTotal ?? 0) + bytes;
  }

  /**
   * Every byte the totals count is done, but the job is not (a backup's last upload and
   * its snapshot): from now on there is no rate or time left to tell, only the phase.
   */
  measuredDone(): void {
    this.measured = false;
  }

  /** The current step's own measure (null: the phase has none). */
  setStep(step: ProgressSnapshot['step']): void {
    this.step = step;
  }

  advance(bytes: number, files = 0, currentPath?: string): void {
    if (bytes > 0 && this.samples.length === 0)
      this.samples.push({ at: this.now(), bytes: this.bytesDone });
    this.bytesDone += bytes;
    this.filesDone += files;
    if (currentPath !== undefined) this.currentPath = currentPath;
    const t = this.now();
    const last = this.samples.at(-1);
    if (last && t - last.at >= SAMPLE_INTERVAL_MS)
      this.samples.push({ at: t, bytes: this.bytesDone });
  }

  /** Bytes per second since the oldest sample still inside the window. */
  private rate(t: number): number {
    while (this.samples.length > 1 && t - this.samples[1]!.at >= RATE_WINDOW_MS)
      this.samples.shift();
    const first = this.samples[0];
    if (!first) return 0;
    // A window with no sample left inside it is a stall since its only sample.
    const dt = t - first.at;
    return dt > 0 ? ((this.bytesDone - first.bytes) * 1000) / dt : 0;
  }

  snapshot(): ProgressSnapshot {
    const t = this.now();
    const rate = this.measured ? this.rate(t) : 0;
    const remaining = !this.measured
      ? null
      : this.bytesTotal === null
        ? null
        : Math.max(0, this.bytesTotal - this.bytesDone);
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
      elapsedSeconds: (t - this.startedAt) / 1000,
      currentPath: this.currentPath,
      step: this.step,
    };
  }
}
