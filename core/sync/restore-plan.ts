/**
 * What a restore does at each path, decided by what is already there — never by
 * following it. Folders are made (or merged into), symlinks made at once; files become
 * jobs whose contents are written afterwards, hard-linked files links to the first of
 * their group. A local entry that replacing would destroy is a conflict: a newer one of
 * the same type, and any entry of another type (a file where the backup has a folder, a
 * symlink where it has a file …). The user's choice decides each conflict: skip (keep
 * the local entry, and report it), replace it, or keep both (restore the backup's copy
 * beside it under a new name, "report (restored 2024-05-03).txt"). An older local entry
 * of the same type is replaced, as a restore is meant to; a file already in place (same
 * size and time: unchanged, or an interrupted run got that far) is kept as it is.
 */
import type { TreeEntry } from '../repo/tree.js';
import type { ProgressTracker } from './progress.js';
import type { RepoReader } from './repo-reader.js';
import {
  tempName,
  type LocalEntry,
  type LocalKind,
  type RestoreTarget,
  type TargetDir,
} from './restore-target.js';

/** Where an entry lands: its directory (names below the target) and its name there. */
export interface Place {
  rel: Uint8Array[];
  name: Uint8Array;
  /** As the user knows it, for messages. */
  path: string;
}

export interface FileJob extends Place {
  entry: TreeEntry;
  /** A local folder is in the way (overwrite asked): it goes when the file is renamed into place. */
  replacesFolder: boolean;
}

export interface LinkJob extends Place {
  size: number;
  /** The file of the group this one is a hard link to. */
  to: Place;
  replacesFolder: boolean;
}

/** What to do where a local entry conflicts with the backup's. */
export type ConflictChoice = 'skip' | 'replace' | 'keep-both';

/** Why a local entry conflicts: replacing it would lose something. */
export type ConflictKind = 'newer' | 'type-differs';

export interface Conflict {
  /** The local entry, as the user knows it. */
  path: string;
  kind: ConflictKind;
  /** The same in words ("the local file is newer than the backup"). */
  reason: string;
  /** The backup's files this covers: 1 for a file, everything below for a folder. */
  files: number;
}

export interface RestorePlan {
  files: FileJob[];
  links: LinkJob[];
  /** Folders whose mode and time are set last, deepest first (their entries change them). */
  folders: { rel: Uint8Array[]; mode: number; seconds: number }[];
  /** Conflicts left as they are ('skip'). */
  skipped: Conflict[];
  /** Conflicts replaced by the backup's copy ('replace'). */
  replaced: Conflict[];
  /** Conflicts kept, the backup's copy restored beside them at `to` ('keep-both'). */
  renamed: (Conflict & { to: string })[];
  alreadyRestored: number;
}

export interface PlanOptions {
  conflict: ConflictChoice;
  /** What a copy kept beside a local entry is called after: "restored 2024-05-03". */
  copyLabel: string;
  /**
   * The folders above `entries`, outermost first, when a path goes back to where it was:
   * made when missing (with the backup's mode and time), entered as they are when there;
   * nothing else in them is touched.
   */
  parents?: TreeEntry[];
}

const WORD: Record<LocalKind, string> = {
  file: 'file',
  dir: 'folder',
  symlink: 'symlink',
  special: 'special file (a pipe, socket or device)',
};

/** Times set through utimes pass through a double: a microsecond or two may be lost. */
function nearlyEqual(aNs: bigint, bNs: bigint): boolean {
  const d = aNs - bNs;
  return d < 2_000n && d > -2_000n;
}

/**
 * An entry's time in seconds, as utimes takes it: a double, which cannot hold most
 * microsecond values exactly and is truncated to nanoseconds on the way in — 1796172542.159
 * becomes …158999919 ns. Half a microsecond more lands every time in its own microsecond.
 */
export function seconds(e: TreeEntry): number {
  return Number(BigInt(e.mtimeNs) / 1000n) / 1e6 + 5e-7;
}

/** The most a name may have, in bytes, on every common file system. */
const NAME_MAX = 255;
/** Longer than this after the last dot, it is part of the name, not an extension. */
const EXTENSION_MAX = 16;

/**
 * The name of the backup's copy kept beside a local `name`: "report (restored
 * 2024-05-03).txt", then "… 2)", "… 3)" when that is taken; a folder's name keeps its dots.
 * Shortened to fit, never inside a UTF-8 character.
 */
export function keptCopyName(
  name: Uint8Array,
  label: string,
  n: number,
  isFolder: boolean,
): Uint8Array {
  const bytes = Buffer.from(name);
  const dot = isFolder ? -1 : bytes.lastIndexOf(0x2e);
  const split = dot > 0 && bytes.length - dot <= EXTENSION_MAX + 1 ? dot : bytes.length;
  const ext = bytes.subarray(split);
  const suffix = Buffer.from(` (${label}${n > 1 ? ` ${n}` : ''})`);
  let cut = Math.min(split, NAME_MAX - suffix.length - ext.length);
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return new Uint8Array(Buffer.concat([bytes.subarray(0, cut), suffix, ext]));
}

/** Keep-both gives up after this many copies of one name: something else is wrong. */
const MAX_COPIES = 1000;

export async function planRestore(
  target: RestoreTarget,
  repo: RepoReader,
  entries: TreeEntry[],
  o: PlanOptions,
  progress: ProgressTracker,
): Promise<RestorePlan> {
  const plan: RestorePlan = {
    files: [],
    links: [],
    folders: [],
    skipped: [],
    replaced: [],
    renamed: [],
    alreadyRestored: 0,
  };
  /** Hard-link group → the member whose content is (or will be) in place. */
  const groups = new Map<string, Place & { local: LocalEntry | null }>();

  const tally = async (covered: TreeEntry[]) => {
    const t = { files: 0, bytes: 0 };
    const add = (e: TreeEntry) => {
      if (e.type === 'file') (t.files++, (t.bytes += e.size));
    };
    for (const e of covered) {
      add(e);
      if (e.type === 'dir') await repo.walk(e.subtree!, add);
    }
    return t;
  };
  const typeChange = (local: LocalKind, e: TreeEntry) =>
    `a ${WORD[local]} is here where the backup has a ${WORD[e.type]}` +
    (local === 'symlink' && e.type === 'dir'
      ? ' (a restore never follows links inside its target)'
      : '');

  /** A local entry that the backup's `e` would destroy, or null. */
  const conflictWith = async (
    dir: TargetDir,
    name: Uint8Array,
    local: LocalEntry,
    e: TreeEntry,
  ): Promise<{ kind: ConflictKind; reason: string } | null> => {
    if (local.kind !== e.type) return { kind: 'type-differs', reason: typeChange(local.kind, e) };
    if (e.type === 'dir' || !(local.mtimeNs > BigInt(e.mtimeNs))) return null;
    if (e.type === 'symlink') {
      if ((await dir.readlink(name)).equals(e.target ?? new Uint8Array())) return null;
    } else if (local.size === BigInt(e.size) && nearlyEqual(local.mtimeNs, BigInt(e.mtimeNs)))
      return null;
    return { kind: 'newer', reason: `the local ${WORD[local.kind]} is newer than the backup` };
  };

  /** Already the backup's `e`: a copy kept beside a local entry by an earlier run. */
  const holds = async (dir: TargetDir, name: Uint8Array, local: LocalEntry, e: TreeEntry) =>
    local.kind === e.type &&
    (e.type === 'dir' ||
      (e.type === 'symlink'
        ? (await dir.readlink(name)).equals(e.target ?? new Uint8Array())
        : local.size === BigInt(e.size) && nearlyEqual(local.mtimeNs, BigInt(e.mtimeNs))));

  /**
   * Where `e` goes and what is there now, once any conflict is settled as the user chose;
   * null when it is skipped (`covered`: the backup's entries that skipping leaves out).
   */
  const settle = async (
    dir: TargetDir,
    rel: Uint8Array[],
    e: TreeEntry,
    covered: TreeEntry[],
  ): Promise<{ place: Place; local: LocalEntry | null } | null> => {
    const place: Place = { rel, name: e.name, path: dir.display(e.name) };
    const local = await dir.lstat(e.name);
    const found = local && (await conflictWith(dir, e.name, local, e));
    if (!found) return { place, local };
    const t = await tally(covered);
    const conflict: Conflict = { path: place.path, ...found, files: t.files };
    if (o.conflict === 'skip') {
      plan.skipped.push(conflict);
      progress.advance(t.bytes, t.files);
      return null;
    }
    if (o.conflict === 'replace') {
      plan.replaced.push(conflict);
      return { place, local };
    }
    for (let n = 1; n <= MAX_COPIES; n++) {
      const name = keptCopyName(e.name, o.copyLabel, n, e.type === 'dir');
      const there = await dir.lstat(name);
      if (there && !(await holds(dir, name, there, e))) continue;
      const copy: Place = { rel, name, path: dir.display(name) };
      plan.renamed.push({ ...conflict, to: copy.path });
      return { place: copy, local: there };
    }
    throw new Error(`${place.path}: ${MAX_COPIES} copies of it are already here`);
  };

  /** Makes (or enters) the folder `e` settled at; returns the names of its path. */
  const folder = async (
    dir: TargetDir,
    { place, local }: { place: Place; local: LocalEntry | null },
    e: TreeEntry,
    ownMetadata: boolean,
  ): Promise<Uint8Array[]> => {
    const isDir = local?.kind === 'dir';
    if (local && !isDir) await dir.remove(place.name);
    if (!isDir) await dir.mkdir(place.name);
    const below = [...place.rel, place.name];
    if (ownMetadata || !isDir)
      plan.folders.push({ rel: below, mode: e.mode & 0o7777, seconds: seconds(e) });
    return below;
  };

  const visit = async (dir: TargetDir, rel: Uint8Array[], e: TreeEntry): Promise<void> => {
    const at = await settle(dir, rel, e, [e]);
    if (!at) return;
    const { place, local } = at;

    if (e.type === 'dir') {
      const below = await folder(dir, at, e, true);
      for (const child of await repo.tree(e.subtree!))
        await target.in(below, (d) => visit(d, below, child));
      return;
    }

    if (e.type === 'symlink') {
      const wanted = Buffer.from(e.target ?? new Uint8Array());
      if (local?.kind === 'symlink' && (await dir.readlink(place.name)).equals(wanted)) return;
      // Made beside and renamed over what is there: never a moment with neither.
      const temp = tempName(place.name, 'symlink');
      await dir.remove(temp);
      await dir.symlink(wanted, temp);
      await dir.setLinkTime(temp, seconds(e));
      if (local?.kind === 'dir') await dir.remove(place.name);
      await dir.rename(temp, place.name);
      return;
    }

    // A file.
    const replacesFolder = local?.kind === 'dir';
    const key = e.hardLink ? Buffer.from(e.hardLink).toString('latin1') : null;
    const leader = key === null ? undefined : groups.get(key);
    if (leader) {
      if (
        local &&
        leader.local &&
        local.dev === leader.local.dev &&
        local.ino === leader.local.ino
      ) {
        plan.alreadyRestored++;
        progress.advance(e.size, 1, place.path);
        return;
      }
      plan.links.push({ ...place, size: e.size, to: leader, replacesFolder });
      return;
    }
    const inPlace =
      local?.kind === 'file' &&
      local.size === BigInt(e.size) &&
      nearlyEqual(local.mtimeNs, BigInt(e.mtimeNs));
    if (inPlace) {
      plan.alreadyRestored++;
      progress.advance(e.size, 1, place.path);
    } else plan.files.push({ ...place, entry: e, replacesFolder });
    if (key !== null) groups.set(key, { ...place, local: inPlace ? local : null });
  };

  /** Down the folders above the entries (restoring a path to where it was), then them. */
  const descend = async (dir: TargetDir, rel: Uint8Array[], parents: TreeEntry[]) => {
    const [p, ...rest] = parents;
    if (!p) {
      for (const e of entries) await visit(dir, rel, e);
      return;
    }
    const at = await settle(dir, rel, p, entries);
    if (!at) return;
    const below = await folder(dir, at, p, false);
    await target.in(below, (d) => descend(d, below, rest));
  };

  await target.in([], (root) => descend(root, [], o.parents ?? []));
  plan.folders.reverse();
  return plan;
}
