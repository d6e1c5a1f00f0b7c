/**
 * Floe's overall state in one word and one line, as a pure function of what the engine
 * reports: the tray icon and the window's status bar both show exactly this, so they can
 * never tell two stories. Worst news wins — a failed renewal or an empty balance
 * outranks a backup in progress, because it is the one thing that loses data if nobody
 * looks; a failed backup or a folder that needs the user outranks progress elsewhere.
 * "Synced" is said only when no folder is dirty, held, failed, missing or waiting.
 */
import type { FolderRow, RenewalRecord } from '../index/index.js';
import { formatDuration, inTime, relativeTime } from './time-words.js';
import { folderWords } from './folder-words.js';
import type { FloeStatus } from './status.js';
import type { ProgressSnapshot } from './progress.js';

export type OverallState =
  | 'synced'
  | 'syncing'
  | 'pending'
  | 'paused'
  | 'attention'
  | 'backup-failed'
  | 'renewal-due'
  | 'renewal-failed'
  | 'offline';

export interface OverallInput {
  /** Null until the engine answered once. */
  status: FloeStatus | null;
  /** The backup in progress, if any. */
  progress: ProgressSnapshot | null;
  /** The engine's API could not be reached. */
  engineUnreachable: boolean;
  paused: boolean;
  now: number;
}

export interface OverallView {
  state: OverallState;
  /** Whole percent while syncing with a known total. */
  percent: number | null;
  headline: string;
  /** Next expiry, last renewal: the lines under the headline. */
  details: string[];
}

/** A live blob ending within this many epochs is "renewal due soon" if renewal has not run. */
export const DUE_SOON_EPOCHS = 1;
/** Fewer epochs than this paid for by the balance is a warning worth the tray's colour. */
export const LOW_BALANCE_EPOCHS = 3;

export function overallState(input: OverallInput): OverallView {
  const { status, progress } = input;
  const folders = sortFolders(status?.folders ?? []);
  const storage = status?.storage ?? null;
  const percent =
    progress && progress.bytesTotal
      ? Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100))
      : null;

  let icon: OverallState;
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
  } else if (status.atRisk) {
    icon = 'attention';
    headline =
      status.atRisk.failuresTolerated < 0
        ? 'Data at risk: the last check found some that the storage nodes cannot rebuild'
        : `Data at risk: the last check found ${status.atRisk.failuresTolerated === 0 ? 'that one more storage node failing could lose some' : `only ${status.atRisk.failuresTolerated} more storage node${status.atRisk.failuresTolerated === 1 ? '' : 's'} could fail before some is lost`}`;
  } else if (storage && BigInt(storage.walFrost) === 0n && storage.liveBlobs > 0) {
    icon = 'renewal-failed';
    headline = 'No WAL left: storage cannot be renewed';
  } else if (folders.failed.length) {
    icon = 'backup-failed';
    headline = `Backup failed: ${about(folders.failed)}`;
  } else if (folders.needYou.length) {
    icon = 'attention';
    headline = `${folderWords(folders.needYou[0]!).label}: ${about(folders.needYou)}`;
  } else if (progress) {
    icon = 'syncing';
    headline = percent === null ? 'Backing up…' : `Backing up… ${percent}%`;
  } else if (input.paused) {
    icon = 'paused';
    headline = 'Paused';
  } else if (folders.waiting.length) {
    icon = folders.waiting.some((f) => f.state === 'offline') ? 'offline' : 'pending';
    const first = folders.waiting[0]!;
    headline =
      first.state === 'retrying' || first.state === 'offline'
        ? `${folderWords(first, input.now).label}: ${first.lastError ?? 'the last backup failed'}`
        : `Changes waiting to be backed up (${names(folders.waiting)})`;
  } else if (
    storage &&
    ((storage.nextExpiryEpoch !== null &&
      storage.nextExpiryEpoch - storage.epoch <= DUE_SOON_EPOCHS) ||
      (storage.epochsAffordable !== null && storage.epochsAffordable < LOW_BALANCE_EPOCHS))
  ) {
    icon = 'renewal-due';
    headline =
      storage.epochsAffordable !== null && storage.epochsAffordable < LOW_BALANCE_EPOCHS
        ? `Balance low: it pays for ${paidFor(storage.epochsAffordable, storage.epochDurationMs)} more storage`
        : `Renewal due: some storage ends ${inTime(endsAt(storage, storage.nextExpiryEpoch!), input.now)}`;
  } else {
    icon = 'synced';
    headline = status.lastSnapshot
      ? `Up to date (${relativeTime(Date.parse(status.lastSnapshot.time), input.now)})`
      : 'Nothing backed up yet';
  }

  const details: string[] = [];
  const retry = folders.waiting.find((f) => f.detail.retry)?.detail.retry;
  if (retry && (icon === 'pending' || icon === 'offline' || icon === 'backup-failed'))
    details.push(`Next try ${inTime(retry.nextAt, input.now)}`);
  if (storage?.nextExpiryEpoch != null)
    details.push(
      `Storage paid for ${formatDuration((endsAt(storage, storage.nextExpiryEpoch) - input.now) / 1000)} more (to epoch ${storage.nextExpiryEpoch}); renewed before then`,
    );
  const last = status?.lastRenewal;
  if (last) details.push(renewalWords(last, input.now));

  return { state: icon, percent: icon === 'syncing' ? percent : null, headline, details };
}

/** When storage paid until `epoch` ends: the current epoch's end plus whole epochs after. */
function endsAt(storage: NonNullable<FloeStatus['storage']>, epoch: number): number {
  return storage.epochEndsAt + (epoch - storage.epoch - 1) * storage.epochDurationMs;
}

function paidFor(epochs: number, epochDurationMs: number): string {
  return `${epochs} epoch${epochs === 1 ? '' : 's'} (${formatDuration((epochs * epochDurationMs) / 1000)})`;
}

/** The last renewal decision as a sentence, not an action name and an epoch number. */
function renewalWords(r: RenewalRecord, now: number): string {
  const when = relativeTime(r.time, now);
  switch (r.action) {
    case 'extend':
      return `Storage last renewed ${when}`;
    case 'delete':
      return `Storage no backup needs was released ${when}`;
    case 'expire':
      return `Storage no backup needed ran out ${when}`;
    case 'compact':
      return `Old packs were rewritten to save space ${when}`;
    case 'forget':
      return `An old snapshot was forgotten by the retention settings ${when}`;
    case 'error':
      return `The last renewal failed ${when}: ${r.reason}`;
  }
}

/** The folders that change the overall state, by what they need. */
function sortFolders(all: FolderRow[]) {
  const active = all.filter((f) => !f.paused);
  return {
    failed: active.filter((f) => f.state === 'failed'),
    needYou: active.filter((f) => f.state !== 'failed' && folderWords(f).needsYou),
    waiting: active.filter(
      (f) =>
        !folderWords(f).needsYou && (f.dirty || f.state === 'retrying' || f.state === 'offline'),
    ),
  };
}

function names(folders: FolderRow[]): string {
  const base = (p: string) => p.split(/[/\\]/).filter(Boolean).at(-1) ?? p;
  const shown = folders.slice(0, 2).map((f) => base(f.path));
  return folders.length > 2
    ? `${shown.join(', ')} and ${folders.length - 2} more`
    : shown.join(', ');
}

function about(folders: FolderRow[]): string {
  const first = folders[0]!;
  const why = first.lastError ? ` — ${first.lastError}` : '';
  return `${names(folders)}${why}`;
}
