/**
 * The shapes of the API's answers and events. Most are the server's own declarations,
 * imported as types only — nothing of core/ is bundled — so that a change on the server
 * side fails this UI's type check instead of its users. The few the server builds inline
 * (the `backup`, `renewal` and `failure` events, the account routes) are spelled out here.
 */
import type { RenewalOverview } from '../../core/api/renewals.js';
import type { NetworkView } from '../../core/api/routes.js';
import type { BrowseAnswer } from '../../core/api/folder-browser.js';
import type { FindResult, FoundPath } from '../../core/sync/find.js';
import type { PathChange, PathVersion, PathVersions } from '../../core/sync/versions.js';
import type { RestoreJob } from '../../core/api/restore-jobs.js';
import type { EntryView, SnapshotSummary } from '../../core/api/snapshots.js';
import type { FolderRow, RenewalRecord } from '../../core/index/index.js';
import type { Settings } from '../../core/index/settings.js';
import type { ProgressSnapshot } from '../../core/sync/progress.js';
import type { FloeStatus } from '../../core/sync/status.js';
import type { FolderOutcome } from '../../core/sync/backup.js';
import type { EngineFailure } from '../../core/sync/engine.js';
import type { Problem } from '../../core/sync/problems.js';
import type { RetentionRun, RetentionStatus } from '../../core/sync/retention-schedule.js';
import type { PruneReport } from '../../core/sync/prune.js';
import type { BlobProof, SnapshotProof } from '../../core/sync/proof.js';
import type { SpotCheckRecord } from '../../core/sync/spot-check-schedule.js';
import type { SpotCheckOverview } from '../../core/api/proof.js';
import type { NodeHealth, NodeHealthView } from '../../core/sync/node-health.js';

export type {
  EntryView,
  FolderRow,
  ProgressSnapshot,
  RenewalOverview,
  RenewalRecord,
  RestoreJob,
  Settings,
  SnapshotSummary,
};

export type Status = FloeStatus & { paused: boolean };

export type {
  BrowseAnswer,
  FindResult,
  FoundPath,
  NetworkView,
  PathChange,
  PathVersion,
  PathVersions,
  Problem,
  RetentionRun,
  BlobProof,
  SnapshotProof,
  SpotCheckOverview,
  SpotCheckRecord,
  NodeHealth,
  NodeHealthView,
};

/** GET /api/search's query (see core/api/routes.ts). */
export interface SearchQuery {
  q: string;
  folder?: string;
  under?: string;
  from?: string;
  to?: string;
  type?: 'file' | 'dir' | 'symlink';
  limit?: number;
}

/** GET /api/retention. */
export type RetentionView = RetentionStatus & { plan: PruneReport };

export interface AccountState {
  account: string | null;
  /** A phrase was shown by `create` and is waiting to be confirmed. */
  pending: boolean;
  /** Where the backups go: the network in use, or the one an account would use. */
  network: Settings['network'];
}

export interface NewAccount {
  phrase: string;
  address: string;
}

export interface AdoptedAccount {
  account: string;
  /** Snapshots found on the network (restore only). */
  restored?: number;
}

export interface SnapshotTree {
  snapshot: string;
  folder: string;
  path: string;
  entries: EntryView[];
}

export interface RestoreRequest {
  snapshot: string;
  /** Absent: where it was (the folder, or the path's own folder). */
  target?: string;
  folder?: string;
  path?: string;
  /** What to do with what is already there (default skip). */
  conflict?: 'skip' | 'replace' | 'keep-both';
}

/** The answer to POST /api/renewals/run (amounts in FROST as decimal strings). */
export interface RenewalRun {
  epoch: number;
  extended: number;
  deleted: number;
  costFrost: string;
  errors: string[];
  nextExpiryEpoch: number | null;
  dryRun: boolean;
}

export interface BackupEvent {
  snapshot: {
    id: string;
    time: string;
    folders: string[];
    stats: { files: number; bytes: number };
  };
  files: number;
  newBytes: number;
  dedupedBytes: number;
  packs: number;
  unchanged: boolean;
  /** What the run did with each folder (saved, missing, held, paused, not restored). */
  folders: FolderOutcome[];
  /** Files that could not be backed up; `path` is relative to `folder`, in the text form of names. */
  issues: { folder: string; path: string; code: string; message: string }[];
}

export type RenewalEvent = Omit<RenewalRun, 'dryRun'>;

export type FailureEvent = EngineFailure;

export interface LiveEvents {
  progress: ProgressSnapshot;
  backup: BackupEvent;
  renewal: RenewalEvent;
  failure: FailureEvent;
  idle: Record<string, never>;
  'folder-state': { folder: FolderRow; removed: boolean; folders: FolderRow[] };
  'restore-progress': RestoreJob;
  retention: RetentionRun;
  problems: { problems: Problem[] };
  'spot-check-progress': ProgressSnapshot;
  'spot-check': SpotCheckRecord;
}
