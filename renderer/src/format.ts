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

/**
 * "45 s", "3 min 5 s", "2 h 10 min", "3 days 4 h", "4.8 years": two units at most, as a
 * person would say it.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  if (days >= 365) return `${(days / 365).toFixed(1)} years`;
  return hours % 24 ? `${days} days ${hours % 24} h` : `${days} days`;
}

/** "5 min ago", "in 3 h"; `then` and `now` in milliseconds. */
export function relativeTime(then: number, now = Date.now()): string {
  const s = Math.round((now - then) / 1000);
  if (Math.abs(s) < 45) return 'just now';
  const span = formatDuration(Math.abs(s)).replace(/ \d+ (s|min|h)$/, '');
  return s > 0 ? `${span} ago` : `in ${span}`;
}

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
