/**
 * The snapshots endpoints' view of the repository: the snapshots this machine's index
 * knows (what its engine wrote, or what `index rebuild` found on chain), and their
 * directory trees read through one shared `RepoReader`. Opening a reader reads every
 * index blob, so it is kept, and reopened only after a backup or a renewal run may have
 * changed which blobs exist.
 */
import type { Index } from '../index/index.js';
import type { RepoKeys } from '../repo/keys.js';
import type { Snapshot, SnapshotRoot } from '../repo/snapshot.js';
import type { TreeEntry } from '../repo/tree.js';
import { RepoReader } from '../sync/repo-reader.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { HttpError } from './http.js';
import {
  MalformedNameError,
  nameToText,
  pathToText,
  RelativePathError,
  textToPath,
} from '../repo/names.js';
import { ValidationError } from '../index/validate.js';

export interface SnapshotSummary {
  id: string;
  time: string;
  hostname: string;
  folders: string[];
  parent: string | null;
  stats: { files: number; bytes: number };
  /** False once `forget` dropped it: still listed, but no longer kept alive. */
  retained: boolean;
}

/** One directory entry, its name in the text form of ./names.ts. */
export interface EntryView {
  name: string;
  type: TreeEntry['type'];
  size: number;
  mtime: string;
  mode: number;
  target?: string;
}

/** A path inside one of a snapshot's folders, resolved against its trees. */
export interface ResolvedPath {
  root: SnapshotRoot;
  /** The path's names, raw bytes. */
  names: Uint8Array[];
  /** The entry the path names; null for the folder itself. */
  entry: TreeEntry | null;
}

export class SnapshotBrowser {
  private reader: Promise<RepoReader> | null = null;

  constructor(
    private readonly index: Index,
    private readonly client: WalrusClient,
    private readonly keys: RepoKeys,
  ) {}

  list(): SnapshotSummary[] {
    return this.index.snapshots().map(({ record: s, retained }) => ({
      id: s.id,
      time: s.time,
      hostname: s.hostname,
      folders: s.roots.map((r) => r.path),
      parent: s.parent,
      stats: s.stats,
      retained,
    }));
  }

  snapshot(id: string): Snapshot {
    const found = this.index.snapshots().find((s) => s.id === id);
    if (!found) throw new HttpError(404, `no snapshot ${id}`);
    return found.record;
  }

  /** The shared reader; a failed open is forgotten so the next request tries again. */
  repo(): Promise<RepoReader> {
    this.reader ??= RepoReader.open(this.client, this.keys).catch((error: unknown) => {
      this.reader = null;
      throw error;
    });
    return this.reader;
  }

  /** New blobs (a backup) or fewer (a renewal deleted dead ones): read the index blobs again. */
  invalidate(): void {
    this.reader = null;
  }

  /**
   * Resolves `path` ('/'-separated names in text form, '' for the folder itself) inside
   * the snapshot's folder `folder` (default: its first).
   */
  async resolve(
    snapshot: Snapshot,
    folder: string | undefined,
    path: string,
  ): Promise<ResolvedPath> {
    const root =
      folder === undefined ? snapshot.roots[0] : snapshot.roots.find((r) => r.path === folder);
    if (!root)
      throw new HttpError(
        404,
        `snapshot ${snapshot.id} has no folder ${folder}; it holds ${snapshot.roots.map((r) => r.path).join(', ')}`,
      );
    const names = parsePath(path);
    const repo = await this.repo();
    let entry: TreeEntry | null = null;
    for (const [i, name] of names.entries()) {
      const entries = await repo.tree(entry ? entry.subtree! : root.tree);
      entry = entries.find((e) => Buffer.from(e.name).equals(name)) ?? null;
      if (!entry)
        throw new HttpError(404, `${textPath(names, i + 1)} is not in snapshot ${snapshot.id}`);
      if (i < names.length - 1 && entry.type !== 'dir')
        throw new HttpError(
          404,
          `${textPath(names, i + 1)} is not a folder in snapshot ${snapshot.id}`,
        );
    }
    return { root, names, entry };
  }

  /** The entries of the directory `path` names. */
  async directory(
    snapshot: Snapshot,
    folder: string | undefined,
    path: string,
  ): Promise<{ folder: string; path: string; entries: EntryView[] }> {
    const { root, names, entry } = await this.resolve(snapshot, folder, path);
    if (entry && entry.type !== 'dir')
      throw new HttpError(404, `${textPath(names)} is not a folder in snapshot ${snapshot.id}`);
    const entries = await (await this.repo()).tree(entry ? entry.subtree! : root.tree);
    return { folder: root.path, path: textPath(names), entries: entries.map(entryView) };
  }
}

export function textPath(names: Uint8Array[], upTo = names.length): string {
  return pathToText(names.slice(0, upTo));
}

function parsePath(path: string): Uint8Array[] {
  try {
    return textToPath(path);
  } catch (error) {
    if (error instanceof MalformedNameError || error instanceof RelativePathError)
      throw new ValidationError('path', error.message);
    throw error;
  }
}

function entryView(e: TreeEntry): EntryView {
  return {
    name: nameToText(e.name),
    type: e.type,
    size: e.size,
    mtime: new Date(Number(BigInt(e.mtimeNs) / 1_000_000n)).toISOString(),
    mode: e.mode,
    ...(e.target ? { target: nameToText(e.target) } : {}),
  };
}
