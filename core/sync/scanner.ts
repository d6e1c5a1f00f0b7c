/**
 * The scanner walks a folder and says what changed since the index last saw it, like
 * restic's archiver scanner and Syncthing's lib/scanner. Unchanged means same kind, size,
 * mtime, ctime and inode; anything else is a change for the pipeline to re-read. Every
 * problem is reported with its path and none stops the scan.
 *
 * Paths are raw bytes (read with `encoding: 'buffer'`), so names in any encoding survive;
 * symlinks are recorded, never followed, so link loops cannot trap the walk; directories
 * are recognised by device and inode, so a bind-mount cycle is reported instead of walked.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { IGNORE_FILE, IgnoreRules } from './ignore.js';

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface ScannedEntry {
  /** Path below the folder root, '/'-separated raw bytes. */
  relPath: Uint8Array;
  kind: EntryKind;
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  inode: string;
  mode: number;
  symlinkTarget: Uint8Array | null;
  /** A file with more than one hard link: its device and inode, which its links share. */
  hardLinkKey?: string;
}

export interface KnownEntry {
  kind: EntryKind;
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  inode: string;
}

/** 'folder-missing': the whole folder could not be scanned (a backup reports it, keeping its last tree). */
export type ScanIssueCode =
  'unreadable' | 'special-file' | 'directory-cycle' | 'vanished' | 'folder-missing';

export interface ScanIssue {
  relPath: Uint8Array;
  code: ScanIssueCode;
  message: string;
}

export interface ScanResult {
  /** Everything present and not excluded. */
  entries: ScannedEntry[];
  /** Entries that are new or differ from what the index knew. */
  changed: ScannedEntry[];
  /** Known paths no longer present (or now excluded). */
  deleted: Uint8Array[];
  /**
   * Paths that are there but could not be read — a directory that cannot be listed, an
   * entry that cannot be stat-ed, a link that cannot be read. What the index knew at and
   * below them is in `deleted` (the scan did not see it); a backup keeps it as it was.
   */
  unreadable: Uint8Array[];
  issues: ScanIssue[];
}

export interface ScanOptions {
  /** Rules applying from the folder root (built-ins, settings). */
  rules?: IgnoreRules;
  /** What the index knows of a path (latin1 key of its bytes). */
  known?: Map<string, KnownEntry>;
  signal?: AbortSignal;
  onProgress?: (p: { entries: number; bytes: number; path: string }) => void;
}

export class FolderUnavailableError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(
      `the folder ${path} cannot be read (${(cause as Error).message}); is it mounted and readable?`,
    );
    this.name = 'FolderUnavailableError';
  }
}

/** A key for maps of raw-byte paths. */
export function pathKey(relPath: Uint8Array): string {
  return Buffer.from(relPath).toString('latin1');
}

const SLASH = Buffer.from('/');

export async function scanFolder(root: string, o: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = { entries: [], changed: [], deleted: [], unreadable: [], issues: [] };
  const known = o.known ?? new Map<string, KnownEntry>();
  const seen = new Set<string>();
  const visitedDirs = new Set<string>();
  let bytes = 0;
  const rootBuf = Buffer.from(root);
  let rootStat: BigIntStats;
  try {
    rootStat = (await lstat(rootBuf, { bigint: true })) as BigIntStats;
    if (!rootStat.isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new FolderUnavailableError(root, error);
  }
  visitedDirs.add(`${rootStat.dev}:${rootStat.ino}`);

  const issue = (relPath: Uint8Array, code: ScanIssueCode, message: string) =>
    result.issues.push({ relPath, code, message });
  const unreadable = (relPath: Uint8Array, message: string) => {
    result.unreadable.push(new Uint8Array(relPath));
    issue(relPath, 'unreadable', message);
  };

  async function walk(dirAbs: Buffer, dirRel: Buffer, inherited: IgnoreRules): Promise<void> {
    o.signal?.throwIfAborted();
    let rules = inherited;
    const ignoreText = await readFile(
      Buffer.concat([dirAbs, SLASH, Buffer.from(IGNORE_FILE)]),
    ).catch(() => null);
    if (ignoreText) rules = rules.with(ignoreText.toString('latin1'), dirRel.toString('latin1'));
    let names: Buffer[];
    try {
      names = (await readdir(dirAbs, { encoding: 'buffer' })).sort(Buffer.compare);
    } catch (error) {
      // A root that cannot be listed is a folder that cannot be backed up at all.
      if (dirRel.length === 0) throw new FolderUnavailableError(root, error);
      unreadable(dirRel, `cannot list directory: ${(error as Error).message}`);
      return;
    }
    const paths = names.map((name) => Buffer.concat([dirAbs, SLASH, name]));
    const stats = await lstatAll(paths);
    for (const [i, name] of names.entries()) {
      const rel = dirRel.length ? Buffer.concat([dirRel, SLASH, name]) : name;
      const abs = paths[i]!;
      const st = stats[i]!;
      if (st instanceof Error) {
        // Deleted between listing and stat: simply not there any more.
        if ((st as NodeJS.ErrnoException).code !== 'ENOENT') unreadable(rel, st.message);
        continue;
      }
      const kind: EntryKind | null = st.isDirectory()
        ? 'dir'
        : st.isFile()
          ? 'file'
          : st.isSymbolicLink()
            ? 'symlink'
            : null;
      const relLatin1 = rel.toString('latin1');
      if (kind === null) {
        if (!rules.ignores(relLatin1, false))
          issue(rel, 'special-file', 'sockets, pipes and devices are not backed up');
        continue;
      }
      if (rules.ignores(relLatin1, kind === 'dir')) continue;
      let target: Uint8Array | null = null;
      if (kind === 'symlink') {
        try {
          target = new Uint8Array(await readlink(abs, { encoding: 'buffer' }));
        } catch (error) {
          unreadable(rel, `cannot read link: ${(error as Error).message}`);
          continue;
        }
      }
      const entry: ScannedEntry = {
        relPath: new Uint8Array(rel),
        kind,
        size: kind === 'file' ? Number(st.size) : 0,
        mtimeNs: st.mtimeNs.toString(),
        ctimeNs: st.ctimeNs.toString(),
        inode: st.ino.toString(),
        mode: Number(st.mode),
        symlinkTarget: target,
        ...(kind === 'file' && st.nlink > 1n ? { hardLinkKey: `${st.dev}:${st.ino}` } : {}),
      };
      const key = pathKey(entry.relPath);
      seen.add(key);
      result.entries.push(entry);
      const before = known.get(key);
      if (
        !before ||
        before.kind !== entry.kind ||
        before.size !== entry.size ||
        before.mtimeNs !== entry.mtimeNs ||
        before.ctimeNs !== entry.ctimeNs ||
        before.inode !== entry.inode
      ) {
        result.changed.push(entry);
      }
      bytes += entry.size;
      o.onProgress?.({ entries: result.entries.length, bytes, path: rel.toString('utf8') });
      if (kind === 'dir') {
        const id = `${st.dev}:${st.ino}`;
        if (visitedDirs.has(id)) {
          issue(
            rel,
            'directory-cycle',
            'this directory was already backed up under another path (a bind mount or hard-linked directory)',
          );
          continue;
        }
        visitedDirs.add(id);
        await walk(abs, rel, rules);
      }
    }
  }

  await walk(rootBuf, Buffer.alloc(0), o.rules ?? IgnoreRules.empty());
  for (const key of known.keys())
    if (!seen.has(key)) result.deleted.push(new Uint8Array(Buffer.from(key, 'latin1')));
  return result;
}

/** lstat calls in flight at once: enough to keep libuv's thread pool busy. */
const STAT_WINDOW = 128;

/**
 * The lstat of every path, in order (an Error where one failed). Issued a window at a time
 * rather than one after another: a rescan of 100,000 unchanged files is otherwise mostly
 * waiting for thread-pool round trips.
 */
async function lstatAll(paths: Buffer[]): Promise<(BigIntStats | Error)[]> {
  const out: (BigIntStats | Error)[] = [];
  for (let at = 0; at < paths.length; at += STAT_WINDOW) {
    const window = paths.slice(at, at + STAT_WINDOW).map((path) =>
      lstat(path, { bigint: true }).then(
        (st) => st as BigIntStats,
        (error: Error) => error,
      ),
    );
    out.push(...(await Promise.all(window)));
  }
  return out;
}
