/**
 * A storage node's disk: per blob a directory holding its metadata and the slivers of
 * the pairs this node stores. Files are written to a temporary name, flushed and renamed,
 * so a crash leaves either the whole sliver or none of it.
 */
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SliverKind } from '../../walrus/encoding/bcs.js';

export class SliverStore {
  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.root, 'blobs'), { recursive: true });
  }

  private dir(blobId: string): string {
    // Blob ids are URL-safe base64: safe as a file name.
    return join(this.root, 'blobs', blobId);
  }

  async putMetadata(blobId: string, bytes: Uint8Array): Promise<void> {
    await this.write(blobId, 'metadata', bytes);
  }

  getMetadata(blobId: string): Promise<Uint8Array | null> {
    return this.read(blobId, 'metadata');
  }

  async putSliver(
    blobId: string,
    pair: number,
    kind: SliverKind,
    bytes: Uint8Array,
  ): Promise<void> {
    await this.write(blobId, sliverFile(pair, kind), bytes);
  }

  getSliver(blobId: string, pair: number, kind: SliverKind): Promise<Uint8Array | null> {
    return this.read(blobId, sliverFile(pair, kind));
  }

  async hasSliver(blobId: string, pair: number, kind: SliverKind): Promise<boolean> {
    try {
      await stat(join(this.dir(blobId), sliverFile(pair, kind)));
      return true;
    } catch {
      return false;
    }
  }

  async removeSliver(blobId: string, pair: number, kind: SliverKind): Promise<void> {
    await rm(join(this.dir(blobId), sliverFile(pair, kind)), { force: true });
  }

  async removeBlob(blobId: string): Promise<void> {
    await rm(this.dir(blobId), { recursive: true, force: true });
  }

  async blobIds(): Promise<string[]> {
    return readdir(join(this.root, 'blobs'));
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

  private async write(blobId: string, name: string, bytes: Uint8Array): Promise<void> {
    const dir = this.dir(blobId);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}`);
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, name));
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

function sliverFile(pair: number, kind: SliverKind): string {
  return `${pair}.${kind}`;
}
