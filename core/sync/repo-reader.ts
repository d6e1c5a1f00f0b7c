/**
 * Reading a repository from the chain and the blobs alone: the account's index blobs say
 * which pack holds each chunk; packs are read from Walrus, opened with the keys and kept
 * in a small cache; every chunk is re-hashed against its id as it comes out. Restore,
 * `ls`, `check`, pruning and `index rebuild` all read through this.
 */
import type { BlobObject } from '../walrus/chain/chain.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { openIndex, type IndexedPack } from '../repo/index-blob.js';
import type { RepoKeys } from '../repo/keys.js';
import { openPack, type OpenedPack } from '../repo/pack.js';
import { decodeTree, type TreeEntry } from '../repo/tree.js';
import { APP_TAG, isFloeBlob } from './attributes.js';
import { hasLapsed } from './lapsed-storage.js';
import { joinParts } from '../repo/byte-parts.js';

/**
 * The data asked for was stored, but its storage ended before it was renewed: the storage
 * nodes dropped it and no key or retry brings it back.
 */
export class StorageEndedError extends Error {
  constructor(
    readonly what: string,
    readonly endEpoch: number,
  ) {
    super(
      `${what}: this data's storage ended at epoch ${endEpoch} before it was renewed, and the network no longer holds it. ` +
        'Back up the files again where they still exist ("floe backup" stores them anew), and keep "floe watch" ' +
        'or the desktop app running, or run "floe backup" or "floe renew" at least once an epoch',
    );
    this.name = 'StorageEndedError';
  }
}

/** A snapshot names a chunk that no index blob of the account lists: the repository is damaged. */
export class MissingChunkError extends Error {
  constructor(readonly idHex: string) {
    super(
      `chunk ${idHex} is listed by no index blob of this account: the backup is damaged ("floe check" says how far)`,
    );
    this.name = 'MissingChunkError';
  }
}

/**
 * A blob's bytes. A read that fails once the epoch passed the blob's end (a long command,
 * short epochs, nothing renewing) is storage that ended — and said so, because a retry,
 * which a failed read otherwise suggests, can never bring it back.
 */
async function readUnlessEnded<T>(
  client: WalrusClient,
  blobId: string,
  endEpoch: number | undefined,
  what: string,
  open: (parts: Uint8Array[]) => T,
): Promise<T> {
  try {
    return await client.readAndOpen(blobId, open);
  } catch (error) {
    if (endEpoch !== undefined) {
      const now = await client.chain.systemState().then(
        (s) => s.epoch,
        () => null,
      );
      if (now !== null && endEpoch <= now) throw new StorageEndedError(what, endEpoch);
    }
    throw error;
  }
}

/** Open packs kept in memory; walks read packs mostly in order. */
const PACK_CACHE = 4;
/** Decoded trees kept in memory: a tree is tiny and `ls`/pruning revisit shared ones. */
const TREE_CACHE = 10_000;

export class RepoReader {
  private readonly packCache = new Map<string, OpenedPack>();
  private readonly treeCache = new Map<string, TreeEntry[]>();
  /** Packs read from Walrus so far (for reports such as `check`). */
  packsRead = 0;

  private constructor(
    private readonly client: WalrusClient,
    private readonly keys: RepoKeys,
    /** Chunk id → blob ids of the packs holding it, readable ones first. */
    private readonly locations: Map<string, string[]>,
    /** Chunk id → its length, from the index blobs: a file's layout before any pack is read. */
    private readonly lengths: Map<string, number>,
    /** Pack blob id → the size of its plaintext, from the index blobs. */
    private readonly packSizes: Map<string, number>,
    /** Every pack the index blobs list, with the index blob that lists it. */
    readonly packs: (IndexedPack & { indexBlobId: string })[],
    /** Floe blobs whose storage ended, with their end epoch. */
    private readonly lapsed: Map<string, number>,
    /** The last end epoch of a lapsed index blob: chunks it listed cannot be located. */
    private readonly lapsedIndexEnd: number | null,
    /** Every Floe blob's end epoch when the reader opened: storage may end while it reads. */
    private readonly ends: Map<string, number>,
  ) {}

  /**
   * A reader over every certified Floe index blob the account owns — not only the ones a
   * snapshot lists, because compaction moves chunks into new packs that later index
   * blobs describe. Locations in packs that are no longer certified come last.
   */
  static async open(
    client: WalrusClient,
    keys: RepoKeys,
    owned?: BlobObject[],
  ): Promise<RepoReader> {
    const blobs = owned ?? (await client.listOwned());
    const { epoch } = await client.chain.systemState();
    const readable = new Set(
      blobs.filter((b) => b.state === 'certified' && b.endEpoch > epoch).map((b) => b.blobId),
    );
    const lapsed = new Map(
      blobs
        .filter((b) => b.attributes.app === APP_TAG && hasLapsed(b, epoch))
        .map((b) => [b.blobId, b.endEpoch]),
    );
    const lapsedIndexEnds = blobs
      .filter((b) => isFloeBlob(b.attributes, 'index') && lapsed.has(b.blobId))
      .map((b) => b.endEpoch);
    const locations = new Map<string, string[]>();
    const lengths = new Map<string, number>();
    const packSizes = new Map<string, number>();
    const packs: (IndexedPack & { indexBlobId: string })[] = [];
    for (const blob of blobs) {
      if (!readable.has(blob.blobId) || !isFloeBlob(blob.attributes, 'index')) continue;
      const what = `index ${blob.blobId}`;
      const index = await readUnlessEnded(client, blob.blobId, blob.endEpoch, what, (parts) =>
        openIndex(keys, joinParts(parts), what),
      );
      for (const pack of index) {
        packs.push({ ...pack, indexBlobId: blob.blobId });
        for (const e of pack.entries) {
          const id = Buffer.from(e.id).toString('hex');
          lengths.set(id, e.length);
          packSizes.set(
            pack.blobId,
            Math.max(packSizes.get(pack.blobId) ?? 0, e.offset + e.length),
          );
          const list = locations.get(id) ?? [];
          if (readable.has(pack.blobId)) list.unshift(pack.blobId);
          else list.push(pack.blobId);
          locations.set(id, list);
        }
      }
    }
    const lapsedIndexEnd = lapsedIndexEnds.length ? Math.max(...lapsedIndexEnds) : null;
    const ends = new Map(
      blobs.filter((b) => b.attributes.app === APP_TAG).map((b) => [b.blobId, b.endEpoch]),
    );
    return new RepoReader(
      client,
      keys,
      locations,
      lengths,
      packSizes,
      packs,
      lapsed,
      lapsedIndexEnd,
      ends,
    );
  }

  /** The pack blob a chunk will be read from, or null if no index lists the chunk. */
  locate(idHex: string): string | null {
    return this.locations.get(idHex)?.[0] ?? null;
  }

  /** The size of a pack's plaintext as the index blobs list it: what reading it holds in memory. */
  packSize(blobId: string): number {
    return this.packSizes.get(blobId) ?? 0;
  }

  /** A chunk's length as the index blobs list it (null if none lists it). */
  chunkLength(idHex: string): number | null {
    return this.lengths.get(idHex) ?? null;
  }

  /**
   * Why a chunk cannot be located: most likely an index blob that listed it lapsed; a
   * chunk no index blob ever listed is damage.
   */
  missing(idHex: string): StorageEndedError | MissingChunkError {
    return this.lapsedIndexEnd !== null
      ? new StorageEndedError(`chunk ${idHex}`, this.lapsedIndexEnd)
      : new MissingChunkError(idHex);
  }

  async chunk(idHex: string): Promise<Uint8Array> {
    const blobId = this.locate(idHex);
    if (!blobId) throw this.missing(idHex);
    return (await this.pack(blobId)).chunk(new Uint8Array(Buffer.from(idHex, 'hex')));
  }

  async tree(idHex: string): Promise<TreeEntry[]> {
    const cached = this.treeCache.get(idHex);
    if (cached) return cached;
    const tree = decodeTree(await this.chunk(idHex));
    if (this.treeCache.size >= TREE_CACHE)
      this.treeCache.delete(this.treeCache.keys().next().value!);
    this.treeCache.set(idHex, tree);
    return tree;
  }

  /**
   * Reads and opens a whole pack (verifying its seal), bypassing the cache: for a reader
   * that reads each pack once (a pack-first restore) and bounds its own memory.
   */
  async readPack(blobId: string): Promise<OpenedPack> {
    const ended = this.lapsed.get(blobId);
    if (ended !== undefined) throw new StorageEndedError(`pack ${blobId}`, ended);
    const what = `pack ${blobId}`;
    const pack = await readUnlessEnded(this.client, blobId, this.ends.get(blobId), what, (parts) =>
      openPack(this.keys, parts, what),
    );
    this.packsRead++;
    return pack;
  }

  /** Reads and opens a whole pack (verifying its seal), through the cache. */
  async pack(blobId: string): Promise<OpenedPack> {
    let pack = this.packCache.get(blobId);
    if (!pack) {
      pack = await this.readPack(blobId);
      if (this.packCache.size >= PACK_CACHE)
        this.packCache.delete(this.packCache.keys().next().value!);
      this.packCache.set(blobId, pack);
    }
    return pack;
  }

  /**
   * Visits every entry under a tree, depth first, with its path relative to the tree
   * (raw bytes, '/'-separated). Shared subtrees are visited once per path.
   */
  async walk(
    treeId: string,
    visit: (entry: TreeEntry, relPath: Buffer) => Promise<void> | void,
    prefix: Buffer = Buffer.alloc(0),
  ): Promise<void> {
    for (const entry of await this.tree(treeId)) {
      const rel = prefix.length
        ? Buffer.concat([prefix, Buffer.from('/'), Buffer.from(entry.name)])
        : Buffer.from(entry.name);
      await visit(entry, rel);
      if (entry.type === 'dir') await this.walk(entry.subtree!, visit, rel);
    }
  }
}
