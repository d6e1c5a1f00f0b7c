/**
 * Packs: many chunks sealed together as one Walrus blob, because every blob carries
 * fixed metadata on every node and tiny blobs would cost far more than their bytes.
 *
 * A pack blob is `packId (32, in clear: it selects the key) || seal(packKey(packId),
 * plaintext, aad = "floe-pack-v1" || packId)`, with plaintext
 * `"FLOEPACK" | version u8 | count u32 | count × (id 32 | kind u8 | length u32) | chunk bytes`.
 * The whole pack is sealed once rather than chunk by chunk: Walrus is read a blob at a
 * time anyway, one AEAD pass is cheaper than thousands, and the table of contents is
 * authenticated with the data. A reader re-hashes every chunk it extracts.
 */
import { randomBytes } from 'node:crypto';
import { chunkId, CHUNK_ID_LENGTH, chunkIdHex } from './chunk-id.js';
import { partsBytes, partsLength, partsRange } from './byte-parts.js';
import { CorruptDataError, openParts, sealParts, SEAL_OVERHEAD } from './crypto.js';
import { packKey, type RepoKeys } from './keys.js';

const MAGIC = new TextEncoder().encode('FLOEPACK');
const VERSION = 1;
const HEADER = MAGIC.length + 1 + 4;
const ENTRY = CHUNK_ID_LENGTH + 1 + 4;
const PACK_ID_LENGTH = 32;

export type ChunkKind = 'data' | 'tree';
const KIND_CODE: Record<ChunkKind, number> = { data: 0, tree: 1 };
const KIND_NAME = ['data', 'tree'] as const;

export interface PackEntry {
  id: Uint8Array;
  kind: ChunkKind;
  /** Offset of the chunk in the pack's plaintext. */
  offset: number;
  length: number;
}

export interface SealedPack {
  packId: Uint8Array;
  bytes: Uint8Array;
  entries: PackEntry[];
}

/**
 * Assembles packs: each chunk is copied once, into a buffer the writer keeps from pack to
 * pack, and sealing encrypts from there straight into the blob buffer, also kept from pack
 * to pack: a 32 MiB blob per pack left for the garbage collector was up to three of them
 * awaiting collection at once in a backup's peak memory. So a sealed pack's bytes are
 * valid until the next `seal`, which also empties the writer for the next pack.
 */
export class PackWriter {
  private readonly chunks: { id: Uint8Array; kind: ChunkKind; length: number }[] = [];
  private data: Uint8Array;
  private dataBytes = 0;
  private readonly ids = new Set<string>();
  /** What `seal` writes the blob into, kept from pack to pack like `data`. */
  private blob: ArrayBuffer | null = null;

  /** `capacity`: the chunk bytes a pack is expected to hold (the buffer grows past it). */
  constructor(capacity = 64 * 1024) {
    this.data = new Uint8Array(Buffer.allocUnsafeSlow(capacity).buffer);
  }

  get count(): number {
    return this.chunks.length;
  }

  /** Bytes the sealed blob will have. */
  get size(): number {
    return PACK_ID_LENGTH + SEAL_OVERHEAD + HEADER + this.chunks.length * ENTRY + this.dataBytes;
  }

  /** Bytes the sealed blob would have with one more chunk of `length` bytes. */
  sizeWith(length: number): number {
    return this.size + ENTRY + length;
  }

  has(id: Uint8Array): boolean {
    return this.ids.has(chunkIdHex(id));
  }

  /** Copies the chunk in: `bytes` may be reused by the caller as soon as this returns. */
  add(id: Uint8Array, kind: ChunkKind, bytes: Uint8Array): void {
    if (this.has(id)) return;
    if (this.dataBytes + bytes.length > this.data.length) {
      const grown = new Uint8Array(
        Buffer.allocUnsafeSlow(
          Math.max(this.dataBytes + bytes.length, Math.ceil(this.data.length * 1.125)),
        ).buffer,
      );
      grown.set(this.data.subarray(0, this.dataBytes));
      this.data = grown;
    }
    this.data.set(bytes, this.dataBytes);
    this.ids.add(chunkIdHex(id));
    this.chunks.push({ id, kind, length: bytes.length });
    this.dataBytes += bytes.length;
  }

  seal(
    keys: RepoKeys,
    packId: Uint8Array = new Uint8Array(randomBytes(PACK_ID_LENGTH)),
  ): SealedPack {
    const headerLength = HEADER + this.chunks.length * ENTRY;
    const header = new Uint8Array(headerLength);
    const view = new DataView(header.buffer);
    header.set(MAGIC, 0);
    view.setUint8(MAGIC.length, VERSION);
    view.setUint32(MAGIC.length + 1, this.chunks.length, true);
    const entries: PackEntry[] = [];
    let offset = headerLength;
    this.chunks.forEach((c, i) => {
      const at = HEADER + i * ENTRY;
      header.set(c.id, at);
      view.setUint8(at + CHUNK_ID_LENGTH, KIND_CODE[c.kind]);
      view.setUint32(at + CHUNK_ID_LENGTH + 1, c.length, true);
      entries.push({ id: c.id, kind: c.kind, offset, length: c.length });
      offset += c.length;
    });
    // A buffer moved to a codec worker is detached (its length 0) and cannot be reused.
    if (!this.blob || this.blob.byteLength < this.size)
      this.blob = Buffer.allocUnsafeSlow(
        Math.max(this.size, Math.ceil((this.blob?.byteLength ?? 0) * 1.125)),
      ).buffer as ArrayBuffer;
    const bytes = new Uint8Array(this.blob, 0, this.size);
    bytes.set(packId, 0);
    sealParts(
      packKey(keys, packId),
      [header, this.data.subarray(0, this.dataBytes)],
      bytes.subarray(PACK_ID_LENGTH),
      aad(packId),
    );
    this.chunks.length = 0;
    this.ids.clear();
    this.dataBytes = 0;
    return { packId, bytes, entries };
  }
}

export interface OpenedPack {
  packId: Uint8Array;
  entries: PackEntry[];
  /** The chunk's bytes, re-hashed against its id; throws `CorruptDataError` if they differ. */
  chunk(id: Uint8Array): Uint8Array;
  /**
   * The same, as a view into the pack's plaintext rather than a copy: for a reader that
   * writes the bytes out at once (a restore). Holding a view holds the whole pack.
   */
  chunkView(id: Uint8Array): Uint8Array;
}

/** Opens a pack blob, given whole or as parts (`byte-parts.ts`), verifying its seal. */
export function openPack(
  keys: RepoKeys,
  blob: Uint8Array | Uint8Array[],
  what = 'pack',
): OpenedPack {
  const parts = blob instanceof Uint8Array ? [blob] : blob;
  const total = partsLength(parts);
  if (total < PACK_ID_LENGTH + SEAL_OVERHEAD) throw new CorruptDataError(what);
  const packId = partsBytes(parts, 0, PACK_ID_LENGTH);
  const sealed = partsRange(parts, PACK_ID_LENGTH, total);
  const plain = openParts(packKey(keys, packId), sealed, what, aad(packId));
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  if (!MAGIC.every((b, i) => plain[i] === b))
    throw new CorruptDataError(`${what} (not a Floe pack)`);
  const version = view.getUint8(MAGIC.length);
  if (version !== VERSION)
    throw new Error(
      `${what} has pack format ${version}; this Floe reads format ${VERSION}: update Floe`,
    );
  const count = view.getUint32(MAGIC.length + 1, true);
  const entries: PackEntry[] = [];
  let offset = HEADER + count * ENTRY;
  for (let i = 0; i < count; i++) {
    const at = HEADER + i * ENTRY;
    const length = view.getUint32(at + CHUNK_ID_LENGTH + 1, true);
    const kind = KIND_NAME[view.getUint8(at + CHUNK_ID_LENGTH)];
    if (!kind) throw new CorruptDataError(`${what} (unknown chunk kind)`);
    entries.push({ id: plain.slice(at, at + CHUNK_ID_LENGTH), kind, offset, length });
    offset += length;
  }
  if (offset !== plain.length)
    throw new CorruptDataError(`${what} (table of contents does not match its size)`);
  const byId = new Map(entries.map((e) => [chunkIdHex(e.id), e]));
  const verified = (id: Uint8Array): Uint8Array => {
    const e = byId.get(chunkIdHex(id));
    if (!e) throw new Error(`chunk ${chunkIdHex(id)} is not in ${what}`);
    const data = plain.subarray(e.offset, e.offset + e.length);
    if (chunkIdHex(chunkId(keys.chunkIdKey, data)) !== chunkIdHex(id))
      throw new CorruptDataError(`chunk ${chunkIdHex(id)} of ${what}`);
    return data;
  };
  return {
    packId,
    entries,
    chunk: (id) => verified(id).slice(),
    chunkView: verified,
  };
}

function aad(packId: Uint8Array): Uint8Array {
  const label = new TextEncoder().encode('floe-pack-v1');
  const out = new Uint8Array(label.length + packId.length);
  out.set(label);
  out.set(packId, label.length);
  return out;
}
