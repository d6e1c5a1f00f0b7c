/**
 * The search and versions endpoints' view of the history: the search index brought up to
 * date before each answer (the engine's backups keep it so; after an `index rebuild` or on
 * a new machine the first request reads the trees it lacks through the snapshot browser's
 * shared reader), then the queries of core/sync/find.ts and versions.ts, their errors
 * turned into the API's. A snapshot that cannot be indexed now (the network is down, a
 * pack is gone) is left out of the answer, which lists it under `notIndexed`.
 */
import type { Index } from '../index/index.js';
import { MalformedNameError, RelativePathError } from '../repo/names.js';
import { InvalidDateError, parseDateRange } from '../sync/date-range.js';
import { findPaths, type FindQuery, type FindResult } from '../sync/find.js';
import { FolderRequiredError, UnknownFolderError } from '../sync/indexed-history.js';
import { InvalidPatternError } from '../sync/name-pattern.js';
import { SearchIndex, type NotIndexed } from '../sync/search-index.js';
import { PathNotInHistoryError, pathVersions, type PathVersions } from '../sync/versions.js';
import { ValidationError } from '../index/validate.js';
import { HttpError } from './http.js';
import type { SnapshotBrowser } from './snapshots.js';

export interface SearchArgs {
  q: string;
  match?: 'auto' | 'substring' | 'glob';
  folder?: string;
  under?: string;
  type?: 'file' | 'dir' | 'symlink';
  from?: string;
  to?: string;
  limit?: number;
}

/** A snapshot that could not be indexed is tried again after this long, not on every query. */
const RETRY_MS = 60_000;

export class HistorySearch {
  /** One catch-up at a time: two would read the same trees. */
  private catchingUp: Promise<unknown> = Promise.resolve();
  private readonly notIndexed = new Map<string, NotIndexed & { at: number }>();

  constructor(
    private readonly index: Index,
    private readonly snapshots: SnapshotBrowser,
  ) {}

  async find(a: SearchArgs): Promise<FindResult & { notIndexed: NotIndexed[] }> {
    const notIndexed = await this.upToDate();
    const q: FindQuery = { pattern: a.q };
    if (a.match) q.mode = a.match;
    if (a.folder !== undefined) q.folder = a.folder;
    if (a.under !== undefined) q.under = a.under;
    if (a.type) q.type = a.type;
    if (a.limit !== undefined) q.limit = a.limit;
    return answer('under', () => {
      q.range = parseDateRange(a.from, a.to, { since: 'from', until: 'to' });
      return { ...findPaths(this.index, q), notIndexed };
    });
  }

  async versions(
    folder: string | undefined,
    path: string,
  ): Promise<PathVersions & { notIndexed: NotIndexed[] }> {
    const notIndexed = await this.upToDate();
    return answer('path', () => ({ ...pathVersions(this.index, folder, path), notIndexed }));
  }

  /**
   * Catches the index up; answers the snapshots it still lacks (the network down, a pack
   * lost), which the query leaves out and says so.
   */
  private async upToDate(): Promise<NotIndexed[]> {
    const run = this.catchingUp.then(async () => {
      const search = new SearchIndex(this.index);
      if (search.isCurrent()) {
        this.notIndexed.clear();
        return [];
      }
      const now = Date.now();
      const recent = new Set(
        [...this.notIndexed.values()].filter((n) => now - n.at < RETRY_MS).map((n) => n.snapshot),
      );
      const report = await search.catchUp(() => this.snapshots.repo(), { skip: recent });
      for (const n of report.notIndexed) this.notIndexed.set(n.snapshot, { ...n, at: now });
      const missing = new Set(search.lag().missing.map((s) => s.id));
      for (const id of this.notIndexed.keys()) if (!missing.has(id)) this.notIndexed.delete(id);
      return [...this.notIndexed.values()].map(({ at: _at, ...n }) => n);
    });
    this.catchingUp = run.catch(() => undefined);
    return run;
  }
}

/** Runs a query, its refusals as the API's: 400 naming the field, 404 for what is not there. */
function answer<T>(pathField: string, query: () => T): T {
  try {
    return query();
  } catch (error) {
    if (error instanceof InvalidPatternError) throw new ValidationError('q', error.reason);
    if (error instanceof InvalidDateError) throw new ValidationError(error.field, error.problem);
    if (error instanceof MalformedNameError || error instanceof RelativePathError)
      throw new ValidationError(pathField, error.message);
    if (error instanceof FolderRequiredError)
      throw new ValidationError(
        'folder',
        `is needed: the snapshots hold ${error.known.join(', ')}`,
      );
    if (error instanceof UnknownFolderError || error instanceof PathNotInHistoryError)
      throw new HttpError(404, error.message);
    throw error;
  }
}
