/**
 * A folder's state in words, for every place that shows one (`floe status`, the window's
 * folder list, the tray): one function, so they say the same thing.
 */
import type { FolderRow } from '../index/index.js';
import { inTime } from './time-words.js';

export interface FolderWords {
  /** A few words: "Up to date", "Waiting to retry", "Deletions held". */
  label: string;
  /** What happened and what to do, when there is more to say. */
  detail: string | null;
  /** The state needs the user (held, missing, failed, not restored). */
  needsYou: boolean;
}

export function folderWords(f: FolderRow, now = Date.now()): FolderWords {
  const retry = f.detail.retry;
  const next = retry ? ` — next try ${inTime(retry.nextAt, now)}` : '';
  switch (f.state) {
    case 'idle':
      return f.dirty
        ? {
            label: 'Changes waiting',
            detail: 'a backup of the latest changes is due',
            needsYou: false,
          }
        : { label: 'Up to date', detail: null, needsYou: false };
    case 'scanning':
      return { label: 'Looking for changes…', detail: null, needsYou: false };
    case 'uploading':
      return { label: 'Backing up…', detail: null, needsYou: false };
    case 'retrying':
      return {
        label: 'Waiting to retry',
        detail: `the last backup failed: ${f.lastError ?? 'unknown error'}${next}`,
        needsYou: false,
      };
    case 'offline':
      return {
        label: 'Offline',
        detail: `the network cannot be reached; your files are safe here and are backed up when it answers${next}`,
        needsYou: false,
      };
    case 'failed':
      return {
        label: 'Backup failed',
        detail: `${f.lastError ?? 'the last backups failed'}${next}`,
        needsYou: true,
      };
    case 'paused':
      return { label: 'Paused', detail: 'not watched or backed up until resumed', needsYou: false };
    case 'missing':
      return {
        label: 'Folder missing',
        detail: `${f.lastError ?? 'the folder cannot be read'} — its last backup stands, and it is backed up again once it is back`,
        needsYou: true,
      };
    case 'held':
      return {
        label: 'Deletions held',
        detail: f.lastError ?? 'many files are gone: confirm to record the deletions',
        needsYou: true,
      };
    case 'not-restored':
      return {
        label: 'Not restored yet',
        detail:
          'this folder is in your backups but not on this computer: restore it, or start fresh to back up what is here',
        needsYou: true,
      };
  }
}
