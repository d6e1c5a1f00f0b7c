/**
 * What a restore does at each path, decided by what is already there — never by
 * following it. Folders are made (or merged into), symlinks made at once; files become
 * jobs whose contents are written afterwards, hard-linked files links to the first of
 * their group. What is in the way is kept and reported unless the user asked to
 * overwrite: a newer local entry of the same type, and any entry of another type (a file
 * where the backup has a folder, a symlink where it has a file …), since replacing it
 * destroys it. An older local entry of the same type is replaced, as a restore is meant
 * to. A file already in place (same size and time: an interrupted run got that far) is
 * kept as it is.
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

export interface RestorePlan {
  files: FileJob[];
  links: LinkJob[];
  /** Folders whose mode and time are set last, deepest first (their entries change them). */
  folders: { rel: Uint8Array[]; mode: number; seconds: number }[];
  skipped: { path: string; reason: string }[];
  alreadyRestored: number;
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

export async function planRestore(
  target: RestoreTarget,
  repo: RepoReader,
  entries: TreeEntry[],
  overwrite: boolean,
  progress: ProgressTracker,
): Promise<RestorePlan> {
  const plan: RestorePlan = { files: [], links: [], folders: [], skipped: [], alreadyRestored: 0 };
  /** Hard-link group → the member whose content is (or will be) in place. */
  const groups = new Map<string, Place & { local: LocalEntry | null }>();

  const skip = async (place: Place, e: TreeEntry, reason: string) => {
    plan.skipped.push({ path: place.path, reason });
    if (e.type === 'file') progress.advance(e.size, 1);
    if (e.type === 'dir')
      await repo.walk(e.subtree!, (below) => {
        if (below.type === 'file') progress.advance(below.size, 1);
      });
  };
  const typeChange = (local: LocalKind, e: TreeEntry) =>
    `a ${WORD[local]} is here where the backup has a ${WORD[e.type]}` +
    (local === 'symlink' && e.type === 'dir'
      ? ' (a restore never follows links inside its target)'
      : '');

  const visit = async (dir: TargetDir, rel: Uint8Array[], e: TreeEntry): Promise<void> => {
    const place: Place = { rel, name: e.name, path: dir.display(e.name) };
    const local = await dir.lstat(e.name);
    const sameType = local !== null && local.kind === e.type;
    const newer = local !== null && local.mtimeNs > BigInt(e.mtimeNs);

    if (e.type === 'dir') {
      if (local && !sameType) {
        if (!overwrite) return skip(place, e, typeChange(local.kind, e));
        await dir.remove(e.name);
      }
      if (!sameType) await dir.mkdir(e.name);
      const below = [...rel, e.name];
      plan.folders.push({ rel: below, mode: e.mode & 0o7777, seconds: seconds(e) });
      for (const child of await repo.tree(e.subtree!))
        await target.in(below, (d) => visit(d, below, child));
      return;
    }

    if (e.type === 'symlink') {
      const wanted = Buffer.from(e.target ?? new Uint8Array());
      if (local && sameType && (await dir.readlink(e.name)).equals(wanted)) return;
      if (local && !overwrite) {
        if (!sameType) return skip(place, e, typeChange(local.kind, e));
        if (newer) return skip(place, e, 'the local symlink is newer than the backup');
      }
      // Made beside and renamed over what is there: never a moment with neither.
      const temp = tempName(e.name, 'symlink');
      await dir.remove(temp);
      await dir.symlink(wanted, temp);
      await dir.setLinkTime(temp, seconds(e));
      if (local?.kind === 'dir') await dir.remove(e.name);
      await dir.rename(temp, e.name);
      return;
    }

    // A file.
    if (local && !overwrite) {
      if (!sameType) return skip(place, e, typeChange(local.kind, e));
      const inPlace =
        local.size === BigInt(e.size) && nearlyEqual(local.mtimeNs, BigInt(e.mtimeNs));
      if (newer && !inPlace) return skip(place, e, 'the local file is newer than the backup');
    }
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

  for (const e of entries) await target.in([], (root) => visit(root, [], e));
  plan.folders.reverse();
  return plan;
}
