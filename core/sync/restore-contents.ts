/**
 * Writing restored files: each is written beside its final name (a partial file only its
 * owner can read), made sparse where its content is zeros, flushed, given its mode and
 * time, and renamed into place only when complete — a file under its real name is always
 * whole. A failure removes the partial file. Chunks come from the repository reader,
 * which re-hashes each against its id.
 */
import type { FileHandle } from 'node:fs/promises';
import type { FileJob, LinkJob } from './restore-plan.js';
import { seconds } from './restore-plan.js';
import type { RepoReader } from './repo-reader.js';
import { RestoreWriteError, tempName, type RestoreTarget } from './restore-target.js';

/** Holes are made a file-system block at a time; 4 KiB is the block of every common one. */
const BLOCK = 4096;
const ZEROS = Buffer.alloc(BLOCK);

export interface ContentProgress {
  bytes(n: number): void;
  file(path: string): void;
}

export async function writeFiles(
  target: RestoreTarget,
  repo: RepoReader,
  jobs: FileJob[],
  progress: ContentProgress,
): Promise<void> {
  for (const job of jobs) {
    const file = await PartialFile.create(target, job);
    try {
      let at = 0;
      for (const id of job.entry.chunks ?? []) {
        const data = await repo.chunk(id);
        await file.write(data, at);
        at += data.length;
        progress.bytes(data.length);
      }
      await file.complete(at);
    } catch (error) {
      await file.abandon();
      throw error;
    }
    progress.file(job.path);
  }
}

/** One file being restored, under its partial name until `complete`. */
export class PartialFile {
  private constructor(
    private readonly target: RestoreTarget,
    readonly job: FileJob,
    private readonly partial: Buffer,
    private handle: FileHandle,
  ) {}

  static async create(target: RestoreTarget, job: FileJob): Promise<PartialFile> {
    const partial = tempName(job.name, 'partial');
    const handle = await target.in(job.rel, (dir) => dir.createFile(partial, job.name));
    return new PartialFile(target, job, partial, handle);
  }

  /** Writes `data` at `offset`, leaving holes where whole blocks are zeros. */
  async write(data: Uint8Array, offset: number): Promise<void> {
    try {
      await writeSparse(this.handle, data, offset);
    } catch (error) {
      throw new RestoreWriteError(this.job.path, error as NodeJS.ErrnoException);
    }
  }

  /** Sizes, flushes and stamps the file, then renames it over its final name. */
  async complete(size: number): Promise<void> {
    const { entry } = this.job;
    try {
      // The size, not only the last write: trailing zeros were left as a hole.
      await this.handle.truncate(size);
      await this.handle.sync();
      await this.handle.chmod(entry.mode & 0o7777);
      await this.handle.utimes(seconds(entry), seconds(entry));
      await this.handle.close();
    } catch (error) {
      await this.abandon();
      throw new RestoreWriteError(this.job.path, error as NodeJS.ErrnoException);
    }
    await this.target.in(this.job.rel, async (dir) => {
      try {
        if (this.job.replacesFolder) await dir.remove(this.job.name);
        await dir.rename(this.partial, this.job.name);
      } catch (error) {
        await dir.unlink(this.partial).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Closes and removes the partial file: nothing half-written stays behind. */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await this.target.in(this.job.rel, (dir) => dir.unlink(this.partial)).catch(() => undefined);
  }
}

/** Makes each hard link of a group, replacing (atomically) whatever was in the way. */
export async function writeLinks(
  target: RestoreTarget,
  links: LinkJob[],
  progress: ContentProgress,
): Promise<void> {
  for (const l of links) {
    await target.in(l.to.rel, (from) =>
      target.in(l.rel, async (dir) => {
        const temp = tempName(l.name, 'link');
        await dir.remove(temp);
        await dir.hardLink(from, l.to.name, temp);
        if (l.replacesFolder) await dir.remove(l.name);
        await dir.rename(temp, l.name);
        // rename(2) does nothing when both names are already links to one file.
        await dir.remove(temp);
      }),
    );
    progress.bytes(l.size);
    progress.file(l.path);
  }
}

/**
 * Writes `data` at `offset` in a new file, except the file-system blocks (or the parts
 * of them this chunk covers) that are all zeros: a new file reads as zeros wherever
 * nothing was written, and those blocks stay holes that take no space.
 */
async function writeSparse(handle: FileHandle, data: Uint8Array, offset: number): Promise<void> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let run = 0; // start of the bytes not yet written
  for (let at = 0; at < bytes.length;) {
    const end = Math.min(bytes.length, (Math.floor((offset + at) / BLOCK) + 1) * BLOCK - offset);
    if (bytes.subarray(at, end).equals(ZEROS.subarray(0, end - at))) {
      if (at > run) await writeAll(handle, bytes, run, at, offset);
      run = end;
    }
    at = end;
  }
  if (run < bytes.length) await writeAll(handle, bytes, run, bytes.length, offset);
}

/**
 * Writes bytes[from, to) at file offset `base + from`. A write can be short (a size
 * limit or a nearly full disk takes what fits) and only the next one reports the error.
 */
async function writeAll(
  handle: FileHandle,
  bytes: Buffer,
  from: number,
  to: number,
  base: number,
): Promise<void> {
  for (let at = from; at < to;) {
    const { bytesWritten } = await handle.write(bytes, at, to - at, base + at);
    at += bytesWritten;
  }
}
