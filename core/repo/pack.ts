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
import { CorruptDataError, open, seal, SEAL_OVERHEAD } from './crypto.js';
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

export class PackWriter {
  private readonly chunks: { id: Uint8Array; kind: ChunkKind; bytes: Uint8Array }[] = [];
  private dataBytes = 0;
  private readonly ids = new Set<string>();

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

  add(id: Uint8Array, kind: ChunkKind, bytes: Uint8Array): void {
    if (this.has(id)) return;
    this.ids.add(chunkIdHex(id));
    this.chunks.push({ id, kind, bytes });
    this.dataBytes += bytes.length;
  }

  seal(
    keys: RepoKeys,
    packId: Uint8Array = new Uint8Array(randomBytes(PACK_ID_LENGTH)),
  ): SealedPack {
    const headerLength = HEADER + this.chunks.length * ENTRY;
    const plain = new Uint8Array(headerLength + this.dataBytes);
    const view = new DataView(plain.buffer);
    plain.set(MAGIC, 0);
    view.setUint8(MAGIC.length, VERSION);
    view.setUint32(MAGIC.length + 1, this.chunks.length, true);
    const entries: PackEntry[] = [];
    let offset = headerLength;
    this.chunks.forEach((c, i) => {
      const at = HEADER + i * ENTRY;
      plain.set(c.id, at);
      view.setUint8(at + CHUNK_ID_LENGTH, KIND_CODE[c.kind]);
      view.setUint32(at + CHUNK_ID_LENGTH + 1, c.bytes.length, true);
      plain.set(c.bytes, offset);
      entries.push({ id: c.id, kind: c.kind, offset, length: c.bytes.length });
      offset += c.bytes.length;
    });
    const sealed = seal(packKey(keys, packId), plain, aad(packId));
    const bytes = new Uint8Array(PACK_ID_LENGTH + sealed.length);
    bytes.set(packId, 0);
    bytes.set(sealed, PACK_ID_LENGTH);
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

export function openPack(keys: RepoKeys, bytes: Uint8Array, what = 'pack'): OpenedPack {
  if (bytes.length < PACK_ID_LENGTH + SEAL_OVERHEAD) throw new CorruptDataError(what);
  const packId = bytes.slice(0, PACK_ID_LENGTH);
  const plain = open(packKey(keys, packId), bytes.subarray(PACK_ID_LENGTH), what, aad(packId));
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
