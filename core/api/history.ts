/**
 * The search and versions endpoints' view of the history: the search index brought up to
 * date before each answer (the engine's backups keep it so; after an `index rebuild` or on
 * a new machine the first request reads the trees it lacks through the snapshot browser's
 * shared reader), then the queries of core/sync/find.ts and versions.ts, their errors
 * turned into the API's.
 */
import type { Index } from '../index/index.js';
import { MalformedNameError, RelativePathError } from '../repo/names.js';
import { InvalidDateError, parseDateRange } from '../sync/date-range.js';
import { findPaths, type FindQuery, type FindResult } from '../sync/find.js';
import { FolderRequiredError, UnknownFolderError } from '../sync/indexed-history.js';
import { InvalidPatternError } from '../sync/name-pattern.js';
import { SearchIndex } from '../sync/search-index.js';
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

export class HistorySearch {
  /** One catch-up at a time: two would read the same trees. */
  private catchingUp: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly index: Index,
    private readonly snapshots: SnapshotBrowser,
  ) {}

  async find(a: SearchArgs): Promise<FindResult> {
    await this.upToDate();
    const q: FindQuery = { pattern: a.q };
    if (a.match) q.mode = a.match;
    if (a.folder !== undefined) q.folder = a.folder;
    if (a.under !== undefined) q.under = a.under;
    if (a.type) q.type = a.type;
    if (a.limit !== undefined) q.limit = a.limit;
    return answer('under', () => {
      q.range = parseDateRange(a.from, a.to, { since: 'from', until: 'to' });
      return findPaths(this.index, q);
    });
  }

  async versions(folder: string | undefined, path: string): Promise<PathVersions> {
    await this.upToDate();
    return answer('path', () => pathVersions(this.index, folder, path));
  }

  private async upToDate(): Promise<void> {
    const run = this.catchingUp.then(async () => {
      const search = new SearchIndex(this.index);
      if (!search.isCurrent()) await search.catchUp(() => this.snapshots.repo());
    });
    this.catchingUp = run.catch(() => undefined);
    await run;
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
