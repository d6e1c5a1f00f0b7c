/**
 * Time as a person says it — "45 s", "3 min 5 s", "2 days 4 h", "4.8 years"; "5 min ago",
 * "in 3 h" — for every place that shows time in words: the window, the tray, folder states.
 */

/** Two units at most. */
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

/** "5 min ago", "in 3 h", "just now"; `then` and `now` in milliseconds. */
export function relativeTime(then: number, now = Date.now()): string {
  const s = Math.round((now - then) / 1000);
  if (Math.abs(s) < 45) return 'just now';
  const span = formatDuration(Math.abs(s)).replace(/ \d+ (s|min|h)$/, '');
  return s > 0 ? `${span} ago` : `in ${span}`;
}

/** "in 12 s", "in 3 min": how soon something scheduled happens (never "just now"). */
export function inTime(at: number, now = Date.now()): string {
  return `in ${formatDuration(Math.max(0, (at - now) / 1000)).replace(/ \d+ (s|min|h)$/, '')}`;
}
