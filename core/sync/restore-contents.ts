/**
 * Writing restored files, pack first (restic's restorer): plan which packs hold which
 * files' chunks, read each pack once — a few at a time, within a byte budget — and write
 * every chunk it holds to every place that needs it, at its offset, as the pack arrives.
 * A file is written beside its final name (a partial file only its owner can read), made
 * sparse where its content is zeros, and once its last chunk is in, flushed, given its
 * mode and time and renamed into place: a file under its real name is always whole. A
 * failure removes every partial file. Each chunk is re-hashed against its id as it comes
 * out of its pack.
 *
 * Going file by file instead reads a pack once for every file it holds a part of — for
 * small files packed together and big files cut across packs, many times over — and
 * keeping them in a cache costs memory in proportion to the packs, not to a budget.
 */
import type { FileHandle } from 'node:fs/promises';
import type { OpenedPack } from '../repo/pack.js';
import type { FileJob, LinkJob } from './restore-plan.js';
import { seconds } from './restore-plan.js';
import type { RepoReader } from './repo-reader.js';
import { RestoreWriteError, tempName, type RestoreTarget } from './restore-target.js';

/** Holes are made a file-system block at a time; 4 KiB is the block of every common one. */
const BLOCK = 4096;
const ZEROS = Buffer.alloc(BLOCK);

/**
 * Pack plaintext read ahead of the writer. Reading a pack holds about twice its size at
 * its peak (the decoded blob, then its decryption) and its plaintext while its chunks are
 * written; two 32 MiB packs in flight let one arrive while the other is written, and keep
 * a restore's memory to a fixed amount whatever the size of the tree. One pack is always
 * read, however large.
 */
export const READ_AHEAD_BYTES = 64 * 1024 * 1024;
/** Partial files kept open between packs; others are closed and opened again when needed. */
const OPEN_FILES = 32;
/** Files being flushed and renamed at once: each fsync waits on the disk, not the CPU. */
const FINISHING = 8;

export interface ContentProgress {
  bytes(n: number): void;
  file(path: string): void;
}

/** What the restore needs of the repository: where chunks are, how long, and the packs. */
export type ChunkSource = Pick<
  RepoReader,
  'locate' | 'missing' | 'chunkLength' | 'packSize' | 'readPack'
>;

interface Piece {
  file: FileState;
  offset: number;
}

interface FileState {
  job: FileJob;
  size: number;
  /** Pieces not yet written. */
  left: number;
  partial: PartialFile | null;
}

export async function writeFiles(
  target: RestoreTarget,
  source: ChunkSource,
  jobs: FileJob[],
  progress: ContentProgress,
  readAheadBytes = READ_AHEAD_BYTES,
): Promise<void> {
  // The plan: every chunk's pack and its places, packs in the order files first need them.
  const packs = new Map<string, Map<string, Piece[]>>();
  const files: FileState[] = [];
  for (const job of jobs) {
    const file: FileState = { job, size: 0, left: 0, partial: null };
    files.push(file);
    for (const id of job.entry.chunks ?? []) {
      const pack = source.locate(id);
      const length = source.chunkLength(id);
      if (pack === null || length === null) throw source.missing(id);
      let chunks = packs.get(pack);
      if (!chunks) packs.set(pack, (chunks = new Map()));
      chunks.set(id, [...(chunks.get(id) ?? []), { file, offset: file.size }]);
      file.size += length;
      file.left++;
    }
  }

  const open = new Set<FileState>(); // files with an open handle, least recently used first
  const finishing = new Set<Promise<void>>();
  let failure: unknown = null;
  const finish = async (file: FileState) => {
    open.delete(file);
    const done = file
      .partial!.complete(file.size)
      .then(() => progress.file(file.job.path))
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => finishing.delete(done));
    finishing.add(done);
    while (finishing.size >= FINISHING) await Promise.race(finishing);
    if (failure) throw failure;
  };
  const writePiece = async (piece: Piece, data: Uint8Array) => {
    const { file } = piece;
    file.partial ??= await PartialFile.create(target, file.job);
    open.delete(file);
    open.add(file);
    await file.partial.write(data, piece.offset);
    progress.bytes(data.length);
    if (--file.left === 0) return finish(file);
    for (const idle of open) {
      if (open.size <= OPEN_FILES) break;
      open.delete(idle);
      await idle.partial!.suspend();
    }
  };

  // Packs read ahead in order, within the budget; the writer takes them as they come.
  const order = [...packs.keys()];
  const ahead: { blobId: string; bytes: number; pack: Promise<OpenedPack> }[] = [];
  let aheadBytes = 0;
  let next = 0;
  const readAhead = () => {
    while (next < order.length) {
      const blobId = order[next]!;
      const bytes = source.packSize(blobId);
      if (ahead.length > 0 && aheadBytes + bytes > readAheadBytes) return;
      const pack = source.readPack(blobId);
      pack.catch(() => undefined); // awaited in turn below; a failure is reported once
      ahead.push({ blobId, bytes, pack });
      aheadBytes += bytes;
      next++;
    }
  };
  try {
    for (const file of files) if (file.left === 0) await finish(await created(target, file));
    readAhead();
    while (ahead.length) {
      const { blobId, bytes, pack: reading } = ahead[0]!;
      const pack = await reading;
      for (const [id, pieces] of packs.get(blobId)!) {
        const data = pack.chunkView(new Uint8Array(Buffer.from(id, 'hex')));
        for (const piece of pieces) await writePiece(piece, data);
      }
      packs.delete(blobId);
      ahead.shift();
      aheadBytes -= bytes;
      readAhead();
    }
    await Promise.all(finishing);
    if (failure) throw failure;
  } catch (error) {
    await Promise.all(finishing);
    await Promise.allSettled(ahead.map((a) => a.pack));
    for (const file of files) if (file.left > 0) await file.partial?.abandon();
    throw error;
  }
}

async function created(target: RestoreTarget, file: FileState): Promise<FileState> {
  file.partial = await PartialFile.create(target, file.job);
  return file;
}

/** One file being restored, under its partial name until `complete`. */
export class PartialFile {
  /** Where the bytes written so far end: the file's size (it was created empty). */
  private end = 0;

  private constructor(
    private readonly target: RestoreTarget,
    readonly job: FileJob,
    private readonly partial: Buffer,
    private handle: FileHandle | null,
  ) {}

  static async create(target: RestoreTarget, job: FileJob): Promise<PartialFile> {
    const partial = tempName(job.name, 'partial');
    const handle = await target.in(job.rel, (dir) => dir.createFile(partial, job.name));
    return new PartialFile(target, job, partial, handle);
  }

  private async opened(): Promise<FileHandle> {
    this.handle ??= await this.target.in(this.job.rel, (dir) =>
      dir.openFile(this.partial, this.job.name),
    );
    return this.handle;
  }

  /** Writes `data` at `offset`, leaving holes where whole blocks are zeros. */
  async write(data: Uint8Array, offset: number): Promise<void> {
    const handle = await this.opened();
    try {
      this.end = Math.max(this.end, await writeSparse(handle, data, offset));
    } catch (error) {
      throw new RestoreWriteError(this.job.path, error as NodeJS.ErrnoException);
    }
  }

  /** Closes the handle until the next write: a restore keeps only so many files open. */
  async suspend(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  /** Sizes, flushes and stamps the file, then renames it over its final name. */
  async complete(size: number): Promise<void> {
    const { entry } = this.job;
    try {
      const handle = await this.opened();
      // Trailing zeros were left as a hole: the size says they are there.
      if (this.end !== size) await handle.truncate(size);
      // Flushed before it takes its name: after a power cut a file under its real name
      // with the right size and time is whole, which is what a resumed restore trusts.
      await handle.sync();
      await handle.chmod(entry.mode & 0o7777);
      await handle.utimes(seconds(entry), seconds(entry));
      await this.suspend();
    } catch (error) {
      await this.abandon();
      if (error instanceof RestoreWriteError) throw error;
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
    await this.suspend().catch(() => undefined);
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
 * nothing was written, and those blocks stay holes that take no space. Returns where the
 * last bytes written end (`offset` if none were).
 */
async function writeSparse(handle: FileHandle, data: Uint8Array, offset: number): Promise<number> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let run = 0; // start of the bytes not yet written
  let written = offset;
  for (let at = 0; at < bytes.length;) {
    const end = Math.min(bytes.length, (Math.floor((offset + at) / BLOCK) + 1) * BLOCK - offset);
    if (bytes.subarray(at, end).equals(ZEROS.subarray(0, end - at))) {
      if (at > run) {
        await writeAll(handle, bytes, run, at, offset);
        written = offset + at;
      }
      run = end;
    }
    at = end;
  }
  if (run < bytes.length) {
    await writeAll(handle, bytes, run, bytes.length, offset);
    written = offset + bytes.length;
  }
  return written;
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
