/**
 * The Problems list: one entry per condition, not one per occurrence. A condition has a
 * key — "the network cannot be reached", "backups fail", "this file cannot be read" — so
 * the same failure every 30 s is one entry with a count and the time it last happened,
 * and the entry is marked resolved when the condition ends (the next success). Kept in the
 * index, so the list survives a reload of the window and a restart of Floe.
 */
import type { Index } from '../index/index.js';
import { nameToText } from '../repo/names.js';
import type { BackupResult } from './backup.js';
import type { EngineFailure } from './engine.js';
import type { RenewalReport } from './renewals.js';
import type { RetentionRun } from './retention-schedule.js';
import type { SpotCheckRecord } from './spot-check-schedule.js';

export type ProblemKind =
  'backup' | 'network' | 'renewal' | 'retention' | 'file' | 'watch' | 'spot-check';

export interface Problem {
  key: string;
  kind: ProblemKind;
  /** The folder it is about, when there is one. */
  folder: string | null;
  message: string;
  /** How many times it happened while unresolved. */
  count: number;
  firstAt: number;
  lastAt: number;
  /** When the condition ended; null while it lasts. */
  resolvedAt: number | null;
}

/** How long resolved problems stay listed. */
const KEEP_RESOLVED_MS = 7 * 86_400_000;

export class ProblemLog {
  constructor(
    private readonly index: Index,
    private readonly now: () => number = Date.now,
  ) {}

  /** The condition `key` happened (again): one entry, counted. Returns it. */
  report(key: string, kind: ProblemKind, message: string, folder: string | null = null): Problem {
    const at = this.now();
    this.index.upsertProblem({ key, kind, folder, message, at });
    return this.index.problem(key)!;
  }

  /** The conditions whose key starts with `prefix` (or is `prefix`) ended. */
  resolve(prefix: string): Problem[] {
    return this.index.resolveProblems(prefix, this.now());
  }

  /** Unresolved first, then the recently resolved; newest first within each. */
  list(): Problem[] {
    this.index.dropResolvedProblems(this.now() - KEEP_RESOLVED_MS);
    return this.index.problems();
  }
}

/** What the recorder listens to: the engine's own events (a consumer-side seam). */
export interface ProblemSource {
  on(event: 'backup', fn: (r: BackupResult) => void): unknown;
  on(event: 'failure', fn: (f: EngineFailure) => void): unknown;
  on(event: 'renewal', fn: (r: RenewalReport) => void): unknown;
  on(event: 'retention', fn: (r: RetentionRun) => void): unknown;
  on(event: 'spot-check', fn: (r: SpotCheckRecord) => void): unknown;
}

/**
 * Turns the engine's events into conditions: a failure reports one, the success that ends
 * it resolves it. `changed` is called after each change to the list.
 */
export function recordProblems(source: ProblemSource, log: ProblemLog, changed: () => void): void {
  source.on('failure', (f) => {
    if (f.offline) log.report('network', 'network', f.message);
    else if (f.during === 'backup') log.report('backup', 'backup', f.message);
    else if (f.during === 'renewal') log.report('renewal', 'renewal', f.message);
    else log.report(f.during, f.during, f.message);
    changed();
  });
  source.on('backup', (r) => {
    log.resolve('backup');
    log.resolve('network');
    for (const folder of r.folders.filter((f) => f.outcome === 'saved')) {
      // This run read the folder: its file problems are exactly the issues it met.
      const current = new Set(
        r.issues.filter((i) => i.folder === folder.path).map((i) => fileKey(i.folder, i.relPath)),
      );
      for (const p of log.list())
        if (
          p.kind === 'file' &&
          p.folder === folder.path &&
          p.resolvedAt === null &&
          !current.has(p.key)
        )
          log.resolve(p.key);
    }
    for (const i of r.issues)
      if (i.code !== 'folder-missing')
        log.report(
          fileKey(i.folder, i.relPath),
          'file',
          `${nameToText(i.relPath)}: ${i.message}`,
          i.folder,
        );
    changed();
  });
  source.on('renewal', (r) => {
    if (r.errors.length) return; // each error came as a failure too
    log.resolve('renewal');
    log.resolve('network');
    changed();
  });
  source.on('spot-check', (r) => {
    recordSpotCheck(log, r);
    changed();
  });
  source.on('retention', (r) => {
    if (r.ran) log.resolve('retention');
    else if (r.waitingForApproval)
      log.report(
        'retention',
        'retention',
        `the retention settings would forget ${r.plan.forgotten.length} snapshot(s): approve it once, and Floe applies them by itself from then on`,
      );
    changed();
  });
}

/**
 * A spot-check that found damage — a node missing or serving corrupt slivers, or one not
 * answering — or data closer to loss than the warning margin is one condition, kept until
 * a check finds every node answering and the margin kept.
 */
function recordSpotCheck(log: ProblemLog, r: SpotCheckRecord): void {
  const bad = r.nodes.some((n) => n.verdict !== 'answered');
  if (!bad && r.blobsAtRisk === 0) log.resolve('spot-check');
  else log.report('spot-check', 'spot-check', `The last spot-check found: ${r.summary}`);
}

function fileKey(folder: string, relPath: Uint8Array): string {
  return `file:${folder}:${nameToText(relPath)}`;
}
