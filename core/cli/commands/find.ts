/**
 * `floe find PATTERN` and `floe versions PATH`: a name across every snapshot, and one
 * path's versions, answered from the search index (core/sync/search-index.ts). Both work
 * without the network while the index is up to date — each backup keeps it so; after an
 * `index rebuild` or on a new machine the first one reads the trees it lacks.
 */
import { parseArgs } from 'node:util';
import { InvalidDateError, parseDateRange } from '../../sync/date-range.js';
import { DEFAULT_FIND_LIMIT, findPaths, type FindResult } from '../../sync/find.js';
import { IndexedHistory } from '../../sync/indexed-history.js';
import { InvalidPatternError, type MatchMode } from '../../sync/name-pattern.js';
import { RepoReader } from '../../sync/repo-reader.js';
import { SearchIndex, type NotIndexed } from '../../sync/search-index.js';
import { pathVersions, type PathVersions } from '../../sync/versions.js';
import type { SearchEntryType } from '../../index/search-tables.js';
import {
  connect,
  openDataDir,
  type Connection,
  type DataDirSession,
} from '../../session/session.js';
import { UsageError } from '../errors.js';
import { cliPath } from '../paths.js';
import { formatBytes, formatLocalTime } from '../format.js';
import type { CommandContext } from '../main.js';

const FIND_USAGE =
  'usage: floe find PATTERN [--folder DIR] [--under PATH] [--since DATE] [--until DATE] [--type file|dir|symlink] [--match glob|substring] [--limit N]';
const VERSIONS_USAGE = 'usage: floe versions PATH [--folder DIR]';

export async function findCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      folder: { type: 'string' },
      under: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      type: { type: 'string' },
      match: { type: 'string' },
      limit: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [pattern] = positionals;
  if (!pattern || positionals.length > 1) throw new UsageError(FIND_USAGE);
  const type = oneOf<SearchEntryType>('--type', values.type, ['file', 'dir', 'symlink']);
  const mode = oneOf<MatchMode>('--match', values.match, ['glob', 'substring']);
  const limit = values.limit === undefined ? DEFAULT_FIND_LIMIT : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError('--limit takes a whole number of results, 1 or more');
  if (values.under !== undefined) cliPath(values.under);
  const dir = await openDataDir(ctx);
  try {
    const notIndexed = await bringUpToDate(dir, ctx);
    let result: FindResult;
    try {
      result = findPaths(dir.index, {
        pattern,
        ...(mode ? { mode } : {}),
        ...(values.folder !== undefined ? { folder: values.folder } : {}),
        ...(values.under !== undefined ? { under: values.under } : {}),
        ...(type ? { type } : {}),
        range: parseDateRange(values.since, values.until, { since: '--since', until: '--until' }),
        limit,
      });
    } catch (error) {
      if (error instanceof InvalidPatternError || error instanceof InvalidDateError)
        throw new UsageError(error.message);
      throw error;
    }
    if (ctx.json) ctx.out(JSON.stringify({ ...result, notIndexed }));
    else {
      printFound(result, ctx);
      warnNotIndexed(notIndexed, ctx);
      if (dir.index.snapshots().length === 0)
        ctx.out(
          'no snapshots are known on this machine yet: back up, or run "floe index rebuild" to learn them from the network',
        );
    }
    return 0;
  } finally {
    await dir.close();
  }
}

export async function versionsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { folder: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [given] = positionals;
  if (given === undefined || positionals.length > 1) throw new UsageError(VERSIONS_USAGE);
  const dir = await openDataDir(ctx);
  try {
    const notIndexed = await bringUpToDate(dir, ctx);
    const { folder, path } = splitPath(given, values.folder, new IndexedHistory(dir.index));
    cliPath(path);
    const v = pathVersions(dir.index, folder, path);
    if (ctx.json) ctx.out(JSON.stringify({ ...v, notIndexed }));
    else {
      printVersions(v, ctx);
      warnNotIndexed(notIndexed, ctx);
    }
    return 0;
  } finally {
    await dir.close();
  }
}

/** Indexes what the search index lacks, connecting to the network only if it must. */
/**
 * Indexes what the search index lacks, connecting to the network only if it must; answers
 * the snapshots it could not index (left out of this answer, and said so).
 */
async function bringUpToDate(dir: DataDirSession, ctx: CommandContext): Promise<NotIndexed[]> {
  const search = new SearchIndex(dir.index);
  if (search.isCurrent()) return [];
  const opened: Connection[] = [];
  try {
    const report = await search.catchUp(async () => {
      const connection = await connect(dir, await dir.storedKeys(), ctx);
      opened.push(connection);
      return RepoReader.open(connection.client, connection.keys);
    });
    return report.notIndexed;
  } finally {
    for (const c of opened) await c.close();
  }
}

function warnNotIndexed(notIndexed: NotIndexed[], ctx: CommandContext): void {
  if (notIndexed.length === 0) return;
  ctx.out(
    `(${notIndexed.length} snapshot${notIndexed.length === 1 ? ' was' : 's were'} left out: ${notIndexed[0]!.reason})`,
  );
}

/**
 * PATH is inside `--folder`, or the only folder; or it starts with a folder's own path
 * (`~/Documents/report.txt` as the shell expands it), which names the folder too.
 */
function splitPath(
  given: string,
  folder: string | undefined,
  history: IndexedHistory,
): { folder: string | undefined; path: string } {
  if (folder !== undefined || !given.startsWith('/')) return { folder, path: given };
  const root = history
    .folders()
    .filter((f) => given === f || given.startsWith(f.endsWith('/') ? f : `${f}/`))
    .sort((a, b) => b.length - a.length)[0];
  if (!root)
    throw new UsageError(
      `${given} is in none of the backed-up folders (${history.folders().join(', ') || 'none yet'})`,
    );
  return { folder: root, path: given.slice(root.length).replace(/^\/+/, '') };
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: T[]): T | null {
  if (value === undefined) return null;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} takes ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

function join(folder: string, path: string): string {
  return path ? `${folder.replace(/\/$/, '')}/${path}` : folder;
}

function printFound(r: FindResult, ctx: CommandContext): void {
  for (const f of r.results) {
    const versions = `${f.versions} version${f.versions === 1 ? '' : 's'}`;
    ctx.out(
      `${versions.padEnd(12)}  ${formatLocalTime(f.last.time)}  ${(f.type === 'dir' ? 'folder' : formatBytes(f.last.size)).padStart(10)}  ${join(f.folder, f.path)}${f.type === 'dir' ? '/' : ''}${f.inLatest ? '' : '  (not in the latest snapshot)'}`,
    );
  }
  ctx.out(
    `${r.total} path${r.total === 1 ? '' : 's'} in ${r.snapshotsSearched} snapshot${r.snapshotsSearched === 1 ? '' : 's'}${r.truncated ? ` (the first ${r.results.length} shown; --limit N for more)` : ''}`,
  );
}

const CHANGE_WORDS = {
  created: 'created',
  changed: 'changed',
  deleted: 'deleted',
  recreated: 're-created',
} as const;

function printVersions(v: PathVersions, ctx: CommandContext): void {
  const where = join(v.folder, v.path);
  ctx.out(
    `${where}: ${v.versions.length} version${v.versions.length === 1 ? '' : 's'} in ${v.history.length} snapshots`,
  );
  v.versions.forEach((x, i) => {
    const span =
      x.firstSeen === x.lastSeen
        ? formatLocalTime(x.firstSeen)
        : `${formatLocalTime(x.firstSeen)} … ${formatLocalTime(x.lastSeen)}`;
    const what =
      x.type === 'dir'
        ? `${x.entries ?? 0} entries`
        : `${formatBytes(x.size)}${x.mtime ? `, modified ${formatLocalTime(x.mtime)}` : ''}`;
    ctx.out(
      `  ${String(i + 1).padStart(2)}  ${span}  ${what}  in ${x.snapshots.length} snapshot${x.snapshots.length === 1 ? '' : 's'}  (restore: --snapshot ${x.restore.snapshot.slice(0, 8)})${x.inLatest ? '  latest' : ''}`,
    );
  });
  ctx.out('changes:');
  for (const c of v.changes) {
    const entries = c.entries
      ? `  (${c.entries.added} added, ${c.entries.removed} removed, ${c.entries.modified} changed inside)`
      : '';
    ctx.out(
      `  ${formatLocalTime(c.time)}  ${CHANGE_WORDS[c.kind].padEnd(10)}  ${c.version === null ? '' : `version ${c.version + 1}`}${entries}  snapshot ${c.snapshot.slice(0, 8)}`,
    );
  }
  ctx.out(
    `restore a version with: floe restore --snapshot ID --folder ${v.folder} --path ${v.path || '""'} --target DIR`,
  );
}
