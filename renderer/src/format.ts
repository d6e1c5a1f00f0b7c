/**
 * Numbers, sizes, times and amounts as people read them. Sizes use the CLI's own
 * formatter, so `floe status` and the window never disagree about how big something is.
 */
import { formatBytes } from '../../core/cli/format.js';

export { formatBytes };

const FROST_PER_WAL = 1_000_000_000n;

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Counts too long for a small space, shortened ("2.5M"); exact below 100,000. */
export function formatCompact(n: number): string {
  if (n < 100_000) return formatCount(n);
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(
    n,
  );
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

export { formatDuration, inTime, relativeTime } from '../../core/sync/time-words.js';

export function formatDateTime(time: string | number): string {
  return new Date(time).toLocaleString('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** Whole percent of `done` out of `total`, or null while the total is unknown. */
export function percent(done: number, total: number | null): number | null {
  if (total === null) return null;
  if (total === 0) return 100;
  return Math.min(100, Math.floor((done / total) * 100));
}

/**
 * WAL from an amount in FROST (a decimal string: 64-bit amounts do not fit a JS number),
 * to four decimals; `exact` gives all nine for a tooltip.
 */
export function formatWal(frost: string, exact = false): string {
  const amount = BigInt(frost);
  const sign = amount < 0n ? '-' : '';
  const abs = amount < 0n ? -amount : amount;
  const whole = abs / FROST_PER_WAL;
  const fraction = (abs % FROST_PER_WAL).toString().padStart(9, '0');
  if (exact) {
    const digits = fraction.replace(/0+$/, '');
    return `${sign}${whole.toLocaleString('en-US')}${digits ? '.' + digits : ''} WAL`;
  }
  if (whole === 0n && abs > 0n && abs < 100_000n) return `${sign}< 0.0001 WAL`;
  const digits = fraction.slice(0, 4).replace(/0+$/, '');
  return `${sign}${whole.toLocaleString('en-US')}${digits ? '.' + digits : ''} WAL`;
}

/** A long id (blob, object, snapshot) shortened to recognisable ends. */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

/** The last name in a path, for either separator. */
export function baseName(path: string): string {
  const parts = path.split(/[/\\]/).filter(Boolean);
  return parts.at(-1) ?? path;
}
