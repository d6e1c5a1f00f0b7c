/**
 * What the renewals around a storing command (`floe backup`, `floe forget`) did, as the
 * command reports it: one summary for JSON, the lines a person reads, and whether it
 * failed — a renewal that failed, or storage found already lapsed, makes the command exit
 * 1 even though its own work succeeded, because a cron job's exit code is what someone
 * watches.
 */
import type { LapseReport } from '../sync/lapsed-storage.js';
import type { RenewalRun } from '../sync/renewals.js';
import { formatWal } from './format.js';

export interface RenewalOutcome {
  extended: number;
  deleted: number;
  costFrost: string;
  errors: string[];
  lapsed: LapseReport | null;
}

export function renewalOutcome(runs: RenewalRun[]): RenewalOutcome {
  const lapsed = runs.map((r) => r.lapsed).filter((l) => l !== null);
  return {
    extended: runs.reduce((n, r) => n + r.extended, 0),
    deleted: runs.reduce((n, r) => n + r.deleted, 0),
    costFrost: runs.reduce((n, r) => n + r.costFrost, 0n).toString(),
    errors: runs.flatMap((r) => r.errors),
    lapsed: lapsed.length
      ? {
          blobs: lapsed.reduce((n, l) => n + l.blobs, 0),
          lastEndEpoch: Math.max(...lapsed.map((l) => l.lastEndEpoch)),
        }
      : null,
  };
}

export function renewalFailed(o: RenewalOutcome): boolean {
  return o.errors.length > 0 || o.lapsed !== null;
}

export function renewalLines(o: RenewalOutcome): string[] {
  const lines: string[] = [];
  if (o.extended)
    lines.push(
      `renewed ${o.extended} blob${o.extended === 1 ? '' : 's'} for ${formatWal(BigInt(o.costFrost))}`,
    );
  for (const e of o.errors) lines.push(`FAILED renewal: ${e}`);
  if (o.lapsed) lines.push(lapseLine(o.lapsed));
  return lines;
}

export function lapseLine(lapsed: LapseReport): string {
  return (
    `LAPSED the storage of ${lapsed.blobs} blob(s) the backups needed ended at epoch ${lapsed.lastEndEpoch} before it was renewed: ` +
    'files still on this machine are stored anew by the next backup; snapshots that needed it can no longer be restored. ' +
    'Keep "floe watch" or the desktop app running, or run "floe backup" or "floe renew" from cron at least once an epoch.'
  );
}
