/**
 * A storage node's disk: per blob a directory holding its metadata and the slivers of
 * the pairs this node stores. Each sliver file starts with a CRC-32 of the sliver, taken
 * when the sliver was verified against the metadata, so every later read can tell a
 * damaged file (bit rot, a torn write, someone's editor) from a good one at checksum
 * speed instead of re-verifying the Merkle root. It guards against accidents, not against
 * whoever can write the node's files (nothing on the node's disk could: the reader checks
 * each sliver against the blob's metadata when it matters). Version 1 files, with a
 * SHA-256 instead (twice the cost: ~1 s of a node's CPU per 256 MiB backed up), are read
 * as they are.
 *
 * Files are written to a temporary name and renamed, so a reader sees a whole sliver or
 * none. They are not fsynced one by one (that was two thirds of a node's time per stored
 * sliver): a power cut may leave a sliver torn or empty, which its checksum exposes and
 * the scrub after start-up recovers from the other nodes.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SliverKind } from '../../walrus/encoding/bcs.js';
import { equalBytes } from '../../walrus/encoding/index.js';

/** "Floe sliver, version 2", then the CRC-32 (little-endian), then the sliver's BCS bytes. */
const MAGIC = Buffer.from('FLS2');
/** Version 1: "FLS1", then the SHA-256, then the sliver. */
const MAGIC_V1 = Buffer.from('FLS1');
/** Bytes before the sliver in a file of each version. */
export const SLIVER_HEADER_BYTES = { v2: MAGIC.length + 4, v1: MAGIC_V1.length + 32 } as const;

export class CorruptSliverError extends Error {
  constructor(
    readonly blobId: string,
    readonly pair: number,
    readonly kind: SliverKind,
  ) {
    super(`the ${kind} sliver of pair ${pair} of blob ${blobId} on disk is damaged`);
    this.name = 'CorruptSliverError';
  }
}

export interface StoredSliver {
  bytes: Uint8Array;
  /** False for a file written before checksums: only a check against the metadata vouches for it. */
  checksummed: boolean;
}

/** Blobs whose file listing is kept in memory (the most recently used). */
const LISTED_BLOBS = 4096;

export class SliverStore {
  /**
   * The files of recently used blobs: confirmations and uploads ask "is it stored?" for
   * every pair, and a stat per question was most of a node's file-system time. Files
   * changed behind the node's back are seen again when `refresh` lists the blob anew.
   */
  private readonly listed = new Map<string, Set<string>>();

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.root, 'blobs'), { recursive: true });
  }

  private dir(blobId: string): string {
    // Blob ids are URL-safe base64: safe as a file name.
    return join(this.root, 'blobs', blobId);
  }

  async putMetadata(blobId: string, bytes: Uint8Array): Promise<void> {
    await this.write(blobId, 'metadata', [bytes]);
  }

  getMetadata(blobId: string): Promise<Uint8Array | null> {
    return this.read(blobId, 'metadata');
  }

  async hasMetadata(blobId: string): Promise<boolean> {
    return (await this.files(blobId)).has('metadata');
  }

  /** Stores a sliver that has been verified against the blob's metadata. */
  async putSliver(
    blobId: string,
    pair: number,
    kind: SliverKind,
    bytes: Uint8Array,
  ): Promise<void> {
    await this.write(blobId, sliverFile(pair, kind), [MAGIC, checksum(bytes), bytes]);
  }

  /** The sliver, or null when absent; `CorruptSliverError` when its checksum fails. */
  async readSliver(blobId: string, pair: number, kind: SliverKind): Promise<StoredSliver | null> {
    const file = await this.read(blobId, sliverFile(pair, kind));
    if (!file) return null;
    const version = sliverFileVersion(file);
    if (!version) return { bytes: file, checksummed: false };
    const header = SLIVER_HEADER_BYTES[version];
    const bytes = file.subarray(header);
    const expected = version === 'v2' ? checksum(bytes) : sha256(bytes);
    if (!equalBytes(expected, file.subarray(MAGIC.length, header)))
      throw new CorruptSliverError(blobId, pair, kind);
    return { bytes, checksummed: true };
  }

  /** The sliver's bytes, or null when absent; `CorruptSliverError` when its checksum fails. */
  async getSliver(blobId: string, pair: number, kind: SliverKind): Promise<Uint8Array | null> {
    return (await this.readSliver(blobId, pair, kind))?.bytes ?? null;
  }

  async hasSliver(blobId: string, pair: number, kind: SliverKind): Promise<boolean> {
    return (await this.files(blobId)).has(sliverFile(pair, kind));
  }

  async removeSliver(blobId: string, pair: number, kind: SliverKind): Promise<void> {
    await rm(join(this.dir(blobId), sliverFile(pair, kind)), { force: true });
    this.listed.get(blobId)?.delete(sliverFile(pair, kind));
  }

  async removeBlob(blobId: string): Promise<void> {
    this.listed.delete(blobId);
    await rm(this.dir(blobId), { recursive: true, force: true });
  }

  /** Lists the blob's files again: someone may have changed them behind the node's back. */
  async refresh(blobId: string): Promise<void> {
    this.listed.delete(blobId);
    await this.files(blobId);
  }

  private async files(blobId: string): Promise<Set<string>> {
    let names = this.listed.get(blobId);
    if (names) {
      // Most recently used last, so the oldest is dropped first.
      this.listed.delete(blobId);
      this.listed.set(blobId, names);
      return names;
    }
    const listing = await readdir(this.dir(blobId)).catch(() => null);
    names = new Set((listing ?? []).filter((n) => !n.startsWith('.')));
    if (this.listed.size >= LISTED_BLOBS) this.listed.delete(this.listed.keys().next().value!);
    this.listed.set(blobId, names);
    return names;
  }

  async blobIds(): Promise<string[]> {
    return readdir(join(this.root, 'blobs'));
  }

  /** The (pair, kind) of every sliver file of a blob. */
  async sliversOf(blobId: string): Promise<{ pair: number; kind: SliverKind }[]> {
    await this.refresh(blobId);
    return [...(await this.files(blobId))].flatMap((name) => {
      const m = /^([0-9]+)\.(primary|secondary)$/.exec(name);
      return m ? [{ pair: Number(m[1]), kind: m[2] as SliverKind }] : [];
    });
  }

  /** Bytes on disk, for space accounting in tests and health. */
  async usedBytes(): Promise<number> {
    let total = 0;
    for (const blob of await this.blobIds()) {
      for (const file of await readdir(this.dir(blob)).catch(() => [])) {
        total += (await stat(join(this.dir(blob), file)).catch(() => ({ size: 0 }))).size;
      }
    }
    return total;
  }

  private async write(blobId: string, name: string, parts: Uint8Array[]): Promise<void> {
    const dir = this.dir(blobId);
    const files = await this.files(blobId);
    // A blob with no files yet may have no directory either.
    if (files.size === 0) await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    const handle = await open(tmp, 'w');
    try {
      await handle.writev(parts);
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, name));
    files.add(name);
  }

  private async read(blobId: string, name: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(join(this.dir(blobId), name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}

function sliverFileVersion(file: Uint8Array): 'v1' | 'v2' | null {
  const starts = (magic: Buffer, header: number) =>
    file.length >= header && equalBytes(file.subarray(0, magic.length), magic);
  if (starts(MAGIC, SLIVER_HEADER_BYTES.v2)) return 'v2';
  if (starts(MAGIC_V1, SLIVER_HEADER_BYTES.v1)) return 'v1';
  return null;
}

function checksum(bytes: Uint8Array): Uint8Array {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(crc32(bytes));
  return out;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

function sliverFile(pair: number, kind: SliverKind): string {
  return `${pair}.${kind}`;
}
