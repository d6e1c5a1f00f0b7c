import type { ProgressSnapshot } from '../sync/progress.js';
import { formatBytes, formatDuration } from './format.js';

/**
 * One-line progress for a terminal: redrawn in place on a TTY, and printed at most every
 * few seconds otherwise so logs of `floe backup` under cron stay readable.
 */
export class ProgressBar {
  private lastLineAt = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly plainIntervalMs = 5_000,
    /** What the count counts: files for backups and restores, slivers for a spot-check. */
    private readonly unit = 'files',
  ) {}

  update(p: ProgressSnapshot): void {
    const line = renderProgressLine(p, this.out.isTTY ? (this.out.columns ?? 80) : 120, this.unit);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastLineAt >= this.plainIntervalMs) {
      this.out.write(line + '\n');
      this.lastLineAt = now;
    }
  }

  done(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}

export function renderProgressLine(p: ProgressSnapshot, width: number, unit = 'files'): string {
  // After the files are read, the step in hand (the last pack's upload) is what moves.
  const measure = p.step ? { done: p.step.bytesDone, total: p.step.bytesTotal } : null;
  const fraction = measure
    ? measure.total
      ? Math.min(1, measure.done / measure.total)
      : null
    : p.bytesTotal
      ? Math.min(1, p.bytesDone / p.bytesTotal)
      : null;
  const files =
    p.filesTotal === null ? `${p.filesDone} ${unit}` : `${p.filesDone}/${p.filesTotal} ${unit}`;
  const bytes =
    p.bytesTotal === null
      ? formatBytes(p.bytesDone)
      : `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`;
  const eta = p.etaSeconds === null ? '' : ` ETA ${formatDuration(p.etaSeconds)}`;
  const sent = measure ? ` sent ${formatBytes(measure.done)}/${formatBytes(measure.total)}` : '';
  const rate = p.rate > 0 ? ` ${formatBytes(p.rate)}/s` : '';
  const text = `${p.phase} ${files} ${bytes}${sent}${rate}${eta}`;
  if (fraction === null) return text.slice(0, width);
  const barWidth = Math.max(0, Math.min(30, width - text.length - 8));
  const filled = Math.round(barWidth * fraction);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ` : '';
  return `${bar}${(fraction * 100).toFixed(0).padStart(3)}% ${text}`.slice(0, width);
}
