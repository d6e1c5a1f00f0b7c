/**
 * The packer collects chunks into packs and hands each sealed pack to `store` when it
 * reaches the target size. A chunk already stored (known to the index) or already in
 * this run is not packed again: that is deduplication.
 */
import { chunkIdHex } from '../repo/chunk-id.js';
import type { RepoKeys } from '../repo/keys.js';
import { PackWriter, type ChunkKind, type SealedPack } from '../repo/pack.js';

export interface PackerOptions {
  /** Seal a pack once it holds this many bytes. */
  targetSize: number;
  /** No pack may exceed this (the largest blob the network can encode). */
  maxSize?: number;
  isStored: (id: Uint8Array) => boolean;
  store: (pack: SealedPack) => Promise<void>;
}

export class Packer {
  private readonly writer: PackWriter;
  private readonly inFlight = new Set<string>();
  private readonly pending: Promise<void>[] = [];
  newBytes = 0;
  dedupedBytes = 0;

  constructor(
    private readonly keys: RepoKeys,
    private readonly o: PackerOptions,
  ) {
    this.writer = new PackWriter(o.targetSize);
  }

  /** Adds a chunk unless it is already stored or packed; seals and stores full packs. */
  async add(id: Uint8Array, kind: ChunkKind, bytes: Uint8Array): Promise<void> {
    const key = chunkIdHex(id);
    if (this.inFlight.has(key) || this.o.isStored(id)) {
      this.dedupedBytes += bytes.length;
      return;
    }
    const max = this.o.maxSize ?? Infinity;
    if (this.writer.count > 0 && this.writer.sizeWith(bytes.length) > max) await this.seal();
    if (this.writer.sizeWith(bytes.length) > max)
      throw new Error(
        `a ${bytes.length}-byte chunk does not fit in the largest blob this network stores (${max} bytes): use a network with more shards`,
      );
    this.inFlight.add(key);
    this.writer.add(id, kind, bytes);
    this.newBytes += bytes.length;
    if (this.writer.size >= this.o.targetSize) await this.seal();
  }

  /** Seals what is open and waits until every pack is stored. */
  async flush(): Promise<void> {
    if (this.writer.count > 0) await this.seal();
    await Promise.all(this.pending);
  }

  private async seal(): Promise<void> {
    // One pack stores while the next fills, and the next is sealed only once the one before
    // is stored: its bytes are the writer's blob buffer, which sealing writes over.
    if (this.pending.length >= 1) await this.pending.shift();
    const sealed = this.writer.seal(this.keys);
    const stored = this.o.store(sealed);
    // Awaited later (next seal or flush); marked handled so a failure is not reported twice.
    stored.catch(() => undefined);
    this.pending.push(stored);
  }
}
