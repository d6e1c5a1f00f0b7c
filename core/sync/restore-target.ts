/**
 * The directory a restore writes into, where no path below it is ever resolved through a
 * link: with `T/d -> /elsewhere`, restoring into T must never write `/elsewhere/x`, even
 * when run as root into a directory others can write. Every directory below the root is
 * reached one component at a time from its parent's open handle, opened with
 * O_DIRECTORY | O_NOFOLLOW; files are created with O_EXCL | O_NOFOLLOW beside their final
 * name and renamed into place (rename replaces a link, never follows it); removal walks
 * directories the same way. Node has no openat(2), so on Linux a name is resolved through
 * `/proc/self/fd/N/name` — the kernel walks from the held directory, as openat would, and
 * a directory swapped for a link after it was opened changes nothing. Elsewhere each
 * component is lstat-checked when first reached and the last one opened with O_NOFOLLOW,
 * which leaves a short window to a concurrent attacker.
 *
 * Every failure is a `RestoreWriteError` naming the path as the user knows it.
 */
import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import {
  chmod,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rmdir,
  symlink,
  unlink,
  utimes,
  type FileHandle,
} from 'node:fs/promises';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL } = constants;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;

/** Linux: names resolve from held directory handles (see above). */
const THROUGH_HANDLES = process.platform === 'linux' && existsSync('/proc/self/fd');

/** Directory handles kept open: a restore works in a few directories at a time. */
const OPEN_DIRS = 64;

export type LocalKind = 'file' | 'dir' | 'symlink' | 'special';

/** What is already at a path in the target. */
export interface LocalEntry {
  kind: LocalKind;
  size: bigint;
  mtimeNs: bigint;
  dev: bigint;
  ino: bigint;
}

/** The target cannot take what the restore writes: a full disk, a size limit, a read-only folder. */
export class RestoreWriteError extends Error {
  constructor(
    readonly path: string,
    cause: NodeJS.ErrnoException,
  ) {
    const space = cause.code === 'ENOSPC' || cause.code === 'EDQUOT';
    const why = space
      ? 'the disk is full'
      : cause.code === 'EFBIG'
        ? 'the file is larger than this file system or process may write'
        : cause.code === 'EROFS'
          ? 'the file system is read-only'
          : cause.code === 'EACCES' || cause.code === 'EPERM'
            ? 'permission denied'
            : cause.message;
    super(
      `cannot write ${path}: ${why}. Files restored so far are complete; ${space || cause.code === 'EFBIG' ? 'free space' : 'fix that'} and run the restore again to continue`,
    );
    this.name = 'RestoreWriteError';
  }
}

/** Something below the target changed under the restore into what it must not follow. */
export class UnsafeTargetPathError extends Error {
  constructor(readonly path: string) {
    super(
      `${path} is not a folder any more (a symlink or file took its place while restoring): a restore never follows links inside its target; run it again`,
    );
    this.name = 'UnsafeTargetPathError';
  }
}

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }) {
  return st.isFile()
    ? 'file'
    : st.isDirectory()
      ? 'dir'
      : st.isSymbolicLink()
        ? 'symlink'
        : 'special';
}

const SLASH = Buffer.from('/');

/** One directory below (or at) the target's root, held open where names resolve through it. */
export class TargetDir {
  /** Operations running in it: a directory in use is never closed by the cache. */
  users = 0;

  constructor(
    /** The path as the user knows it. */
    readonly path: Buffer,
    /** What names resolve under: `/proc/self/fd/N` (Linux) or the checked path itself. */
    private readonly base: Buffer,
    private readonly handle: FileHandle | null,
  ) {}

  /** `name` as the kernel should resolve it, relative to this directory. */
  private at(name: Uint8Array): Buffer {
    return Buffer.concat([this.base, SLASH, name]);
  }

  /** `name` as the user knows it. */
  display(name: Uint8Array): string {
    return Buffer.concat([this.path, SLASH, name]).toString();
  }

  private async run<T>(name: Uint8Array | null, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (error instanceof RestoreWriteError || !(error as NodeJS.ErrnoException).code) throw error;
      throw new RestoreWriteError(
        name ? this.display(name) : this.path.toString(),
        error as NodeJS.ErrnoException,
      );
    }
  }

  async lstat(name: Uint8Array): Promise<LocalEntry | null> {
    return this.run(name, async () => {
      const st = await lstat(this.at(name), { bigint: true }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null;
          throw error;
        },
      );
      if (!st) return null;
      return { kind: kindOf(st), size: st.size, mtimeNs: st.mtimeNs, dev: st.dev, ino: st.ino };
    });
  }

  readlink(name: Uint8Array): Promise<Buffer> {
    return this.run(name, () => readlink(this.at(name), { encoding: 'buffer' }));
  }

  /** A new directory, private until the restore sets its mode at the end. */
  mkdir(name: Uint8Array): Promise<void> {
    return this.run(name, () => mkdir(this.at(name), { mode: 0o700 }));
  }

  /** The child directory, opened without following a link. */
  async child(name: Uint8Array): Promise<TargetDir> {
    const path = Buffer.concat([this.path, SLASH, name]);
    return this.run(name, async () => {
      if (!this.handle) {
        const st = await lstat(this.at(name));
        if (!st.isDirectory()) throw new UnsafeTargetPathError(path.toString());
        return new TargetDir(path, this.at(name), null);
      }
      const handle = await open(this.at(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ELOOP' || error.code === 'ENOTDIR')
            throw new UnsafeTargetPathError(path.toString());
          throw error;
        },
      );
      return new TargetDir(path, Buffer.from(`/proc/self/fd/${handle.fd}`), handle);
    });
  }

  /**
   * A new file only this user can read, at the temporary `name` of the file `forName`
   * (which errors name); whatever is at `name` (a leftover) is replaced.
   */
  async createFile(name: Uint8Array, forName: Uint8Array): Promise<FileHandle> {
    return this.run(forName, async () => {
      const flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
      try {
        return await open(this.at(name), flags, 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await unlink(this.at(name)); // a link or file left by a killed run; never a folder of ours
        return await open(this.at(name), flags, 0o600);
      }
    });
  }

  /** The temporary file `name` of `forName` again, for writing, without following a link. */
  openFile(name: Uint8Array, forName: Uint8Array): Promise<FileHandle> {
    return this.run(forName, () => open(this.at(name), O_WRONLY | O_NOFOLLOW));
  }

  rename(from: Uint8Array, to: Uint8Array): Promise<void> {
    return this.run(to, () => rename(this.at(from), this.at(to)));
  }

  symlink(target: Uint8Array, name: Uint8Array): Promise<void> {
    return this.run(name, () => symlink(Buffer.from(target), this.at(name)));
  }

  /** A hard link at `name` to `fromName` in `from`. */
  hardLink(from: TargetDir, fromName: Uint8Array, name: Uint8Array): Promise<void> {
    return this.run(name, () => link(from.at(fromName), this.at(name)));
  }

  setLinkTime(name: Uint8Array, seconds: number): Promise<void> {
    // Not every platform can set a link's own times; the link itself is what matters.
    return lutimes(this.at(name), seconds, seconds).catch(() => undefined);
  }

  async unlink(name: Uint8Array): Promise<void> {
    await this.run(name, () => unlink(this.at(name)));
  }

  /** Removes what is at `name`: a file or link, or a whole folder, never following a link. */
  async remove(name: Uint8Array): Promise<void> {
    const local = await this.lstat(name);
    if (!local) return;
    if (local.kind !== 'dir') return this.unlink(name);
    const dir = await this.child(name);
    try {
      for (const entry of await this.run(name, () => readdir(dir.base, { encoding: 'buffer' })))
        await dir.remove(entry);
    } finally {
      await dir.close();
    }
    await this.run(name, () => rmdir(this.at(name)));
  }

  /** Mode and time of this directory itself, set last: its entries change its time. */
  setOwnMetadata(mode: number, seconds: number): Promise<void> {
    return this.run(null, async () => {
      if (this.handle) {
        await this.handle.chmod(mode);
        await this.handle.utimes(seconds, seconds);
      } else {
        await chmod(this.base, mode);
        await utimes(this.base, seconds, seconds);
      }
    });
  }

  closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await this.handle?.close();
  }
}

/** The target of one restore: its root, and the directories below it as they are reached. */
export class RestoreTarget {
  /** Open directories by path below the root, least recently used first. */
  private readonly open = new Map<string, TargetDir>();
  /** Directories being opened, so two writers in one directory share one handle. */
  private readonly opening = new Map<string, Promise<TargetDir>>();

  private constructor(readonly root: TargetDir) {}

  /** Creates the root if needed (the path the user chose is followed as given) and opens it. */
  static async open(root: string): Promise<RestoreTarget> {
    const path = Buffer.from(root);
    const top = new TargetDir(path, path, null);
    try {
      await mkdir(root, { recursive: true });
      if (!THROUGH_HANDLES) return new RestoreTarget(top);
      const handle = await open(root, O_RDONLY | O_DIRECTORY);
      return new RestoreTarget(
        new TargetDir(path, Buffer.from(`/proc/self/fd/${handle.fd}`), handle),
      );
    } catch (error) {
      throw new RestoreWriteError(root, error as NodeJS.ErrnoException);
    }
  }

  /**
   * Runs `op` in the directory `rel` (names below the root), reached one component at a
   * time without following links; the directories must exist (the restore made them).
   */
  async in<T>(rel: readonly Uint8Array[], op: (dir: TargetDir) => Promise<T>): Promise<T> {
    let dir = await this.reach(rel);
    // Evicted while this caller waited on another's open: open it again.
    while (dir.closed) dir = await this.reach(rel);
    dir.users++;
    try {
      return await op(dir);
    } finally {
      dir.users--;
    }
  }

  private async reach(rel: readonly Uint8Array[]): Promise<TargetDir> {
    if (rel.length === 0) return this.root;
    const key = Buffer.concat(rel.flatMap((c) => [Buffer.from(c), SLASH])).toString('latin1');
    const cached = this.open.get(key);
    if (cached) {
      this.open.delete(key);
      this.open.set(key, cached);
      return cached;
    }
    let opening = this.opening.get(key);
    if (!opening) {
      opening = (async () => {
        const parent = await this.reach(rel.slice(0, -1));
        parent.users++;
        try {
          return await parent.child(rel[rel.length - 1]!);
        } finally {
          parent.users--;
        }
      })();
      this.opening.set(key, opening);
      try {
        const dir = await opening;
        this.open.set(key, dir);
        dir.users++; // not evicted before the caller takes it
        await this.evict();
        dir.users--;
      } finally {
        this.opening.delete(key);
      }
    }
    return opening;
  }

  private async evict(): Promise<void> {
    for (const [key, dir] of this.open) {
      if (this.open.size <= OPEN_DIRS) return;
      if (dir.users > 0) continue;
      this.open.delete(key);
      await dir.close();
    }
  }

  async close(): Promise<void> {
    for (const dir of this.open.values()) await dir.close();
    this.open.clear();
    await this.root.close();
  }
}

/**
 * The name of a temporary file beside `name` (a partial file, a link being made): short
 * and fixed-length, because appending to a 255-byte name would not fit.
 */
export function tempName(name: Uint8Array, purpose: 'partial' | 'link' | 'symlink'): Buffer {
  const tag = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return Buffer.from(`.floe-${tag}.${purpose}`);
}
