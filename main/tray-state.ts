/**
 * What the tray shows, as a pure function of what the engine reports: one of a few
 * distinct states (each its own icon), a tooltip, and the menu. Worst news wins — a
 * failed renewal or an empty balance outranks a backup in progress, because it is the
 * one thing that loses data if nobody looks.
 */
import type { FloeStatus } from '../core/sync/status.js';
import type { ProgressSnapshot } from '../core/sync/progress.js';

export type TrayIconState =
  'synced' | 'syncing' | 'paused' | 'renewal-due' | 'renewal-failed' | 'offline';

export type TrayAction = 'open' | 'backup-now' | 'pause' | 'resume' | 'quit';

export interface TrayMenuItem {
  label: string;
  action?: TrayAction;
  enabled: boolean;
}

export interface TrayView {
  icon: TrayIconState;
  /** Whole percent while syncing with a known total. */
  percent: number | null;
  tooltip: string;
  menu: TrayMenuItem[];
}

export interface TrayInput {
  /** Null until the engine answered once. */
  status: FloeStatus | null;
  /** The backup in progress, if any. */
  progress: ProgressSnapshot | null;
  /** The engine's API could not be reached. */
  engineUnreachable: boolean;
  paused: boolean;
  now: number;
}

/** A live blob ending within this many epochs is "renewal due soon" if renewal has not run. */
export const DUE_SOON_EPOCHS = 1;
/** Fewer epochs than this paid for by the balance is a warning worth the tray's colour. */
export const LOW_BALANCE_EPOCHS = 3;

export function trayView(input: TrayInput): TrayView {
  const { status, progress } = input;
  const storage = status?.storage ?? null;
  const percent =
    progress && progress.bytesTotal
      ? Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100))
      : null;

  let icon: TrayIconState;
  let headline: string;
  if (input.engineUnreachable || !status) {
    icon = 'offline';
    headline = 'Floe is not running';
  } else if (status.networkError) {
    icon = 'offline';
    headline = `Offline: ${status.networkError}`;
  } else if (status.renewalFailures.length > 0) {
    icon = 'renewal-failed';
    headline = `Renewal failed: ${status.renewalFailures[0]!.reason}`;
  } else if (storage && BigInt(storage.walFrost) === 0n && storage.liveBlobs > 0) {
    icon = 'renewal-failed';
    headline = 'No WAL left: storage cannot be renewed';
  } else if (progress) {
    icon = 'syncing';
    headline = percent === null ? 'Backing up…' : `Backing up… ${percent}%`;
  } else if (input.paused) {
    icon = 'paused';
    headline = 'Paused';
  } else if (
    storage &&
    ((storage.nextExpiryEpoch !== null &&
      storage.nextExpiryEpoch - storage.epoch <= DUE_SOON_EPOCHS) ||
      (storage.epochsAffordable !== null && storage.epochsAffordable < LOW_BALANCE_EPOCHS))
  ) {
    icon = 'renewal-due';
    headline =
      storage.epochsAffordable !== null && storage.epochsAffordable < LOW_BALANCE_EPOCHS
        ? `Balance low: pays for ${storage.epochsAffordable} more epoch(s)`
        : `Renewal due: storage ends at epoch ${storage.nextExpiryEpoch}`;
  } else {
    icon = 'synced';
    headline = status.lastSnapshot
      ? `Up to date (${relativeTime(Date.parse(status.lastSnapshot.time), input.now)})`
      : 'Nothing backed up yet';
  }

  const lines = [headline];
  if (storage?.nextExpiryEpoch != null)
    lines.push(`Next expiry: epoch ${storage.nextExpiryEpoch} (now ${storage.epoch})`);
  const last = status?.lastRenewal;
  if (last) lines.push(`Last renewal: ${last.action} at epoch ${last.epoch}`);

  const reachable = !input.engineUnreachable && status !== null;
  const menu: TrayMenuItem[] = [
    { label: headline, enabled: false },
    ...lines.slice(1).map((label) => ({ label, enabled: false })),
    { label: 'Open Floe', action: 'open', enabled: true },
    {
      label: 'Back up now',
      action: 'backup-now',
      enabled: reachable && !input.paused && !progress,
    },
    input.paused
      ? { label: 'Resume', action: 'resume', enabled: reachable }
      : { label: 'Pause', action: 'pause', enabled: reachable },
    { label: 'Quit Floe', action: 'quit', enabled: true },
  ];
  return { icon, percent: icon === 'syncing' ? percent : null, tooltip: lines.join('\n'), menu };
}

function relativeTime(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} days ago`;
}
