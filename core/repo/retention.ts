/**
 * Which snapshots a retention policy keeps, with restic's `forget` semantics: keep the
 * newest `last`; for each of hourly/daily/weekly/monthly/yearly, walk from newest to
 * oldest and keep the newest snapshot of each of the latest N periods that have one;
 * keep everything within `withinMs` of the newest snapshot. A snapshot kept by any rule
 * is kept, and says why. Periods are UTC so a policy means the same on every machine.
 */

export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  withinMs?: number;
}

export interface Dated {
  id: string;
  time: string;
}

export interface RetentionDecision<T extends Dated> {
  keep: { snapshot: T; reasons: string[] }[];
  remove: T[];
}

type Bucket = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

const BUCKETS: Record<Bucket, (d: Date) => string> = {
  hourly: (d) => d.toISOString().slice(0, 13),
  daily: (d) => d.toISOString().slice(0, 10),
  weekly: (d) => isoWeek(d),
  monthly: (d) => d.toISOString().slice(0, 7),
  yearly: (d) => d.toISOString().slice(0, 4),
};

export class EmptyRetentionPolicyError extends Error {
  constructor() {
    super(
      'a retention policy must keep something: set at least one of last, hourly, daily, weekly, monthly, yearly or within',
    );
    this.name = 'EmptyRetentionPolicyError';
  }
}

export function applyRetention<T extends Dated>(
  snapshots: T[],
  policy: RetentionPolicy,
): RetentionDecision<T> {
  const counts = Object.entries(policy).filter(([, v]) => typeof v === 'number' && v > 0);
  if (counts.length === 0) throw new EmptyRetentionPolicyError();
  const sorted = snapshots
    .slice()
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || (a.id < b.id ? 1 : -1));
  const reasons = new Map<string, string[]>();
  const keepFor = (s: T, why: string) => reasons.set(s.id, [...(reasons.get(s.id) ?? []), why]);

  sorted.slice(0, policy.last ?? 0).forEach((s) => keepFor(s, 'last'));
  for (const bucket of Object.keys(BUCKETS) as Bucket[]) {
    let left = policy[bucket] ?? 0;
    let lastKey: string | null = null;
    for (const s of sorted) {
      if (left <= 0) break;
      const key = BUCKETS[bucket](new Date(s.time));
      if (key !== lastKey) {
        keepFor(s, `${bucket} ${key}`);
        lastKey = key;
        left--;
      }
    }
  }
  if (policy.withinMs && sorted[0]) {
    const newest = Date.parse(sorted[0].time);
    for (const s of sorted)
      if (newest - Date.parse(s.time) <= policy.withinMs) keepFor(s, 'within');
  }
  return {
    keep: sorted
      .filter((s) => reasons.has(s.id))
      .map((s) => ({ snapshot: s, reasons: reasons.get(s.id)! })),
    remove: sorted.filter((s) => !reasons.has(s.id)),
  };
}

/** ISO 8601 week ("2026-W48"): weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
