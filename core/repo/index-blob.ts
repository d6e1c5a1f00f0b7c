/**
 * Index blobs: which pack (Walrus blob) holds each chunk, so a new machine can restore a
 * file by reading only the packs that hold it instead of every pack. Each backup batch
 * writes one for the packs it sealed (several when the list outgrows the network's
 * largest blob, a pack's entries split between them if need be); readers merge all they
 * find; compaction can write one covering everything.
 *
 * Binary, sealed under the metadata key:
 * `"FLOEIDX" | version u8 | packs u32 | per pack: blobId 32 | packId 32 | entries u32 |
 *  per entry: chunk id 32 | kind u8 | offset u32 | length u32`
 * — 41 bytes a chunk, where JSON would take about 150.
 */
import { blobIdFromString, blobIdToString } from '../walrus/encoding/blob-id.js';
import { CorruptDataError, open, seal, SEAL_OVERHEAD } from './crypto.js';
import type { RepoKeys } from './keys.js';
import type { ChunkKind, PackEntry } from './pack.js';

const MAGIC = new TextEncoder().encode('FLOEIDX');
const VERSION = 1;
const AAD = new TextEncoder().encode('floe-index-v1');
const KINDS: ChunkKind[] = ['data', 'tree'];
const HEADER_BYTES = MAGIC.length + 1 + 4;
const PACK_BYTES = 68;
const ENTRY_BYTES = 41;

export interface IndexedPack {
  /** The Walrus blob that stores the pack. */
  blobId: string;
  packId: Uint8Array;
  entries: PackEntry[];
}

export function sealIndex(keys: RepoKeys, packs: IndexedPack[]): Uint8Array {
  const entries = packs.reduce((n, p) => n + p.entries.length, 0);
  const plain = new Uint8Array(HEADER_BYTES + packs.length * PACK_BYTES + entries * ENTRY_BYTES);
  const view = new DataView(plain.buffer);
  plain.set(MAGIC);
  let at = MAGIC.length;
  view.setUint8(at++, VERSION);
  view.setUint32(at, packs.length, true);
  at += 4;
  for (const p of packs) {
    plain.set(blobIdFromString(p.blobId), at);
    plain.set(p.packId, at + 32);
    view.setUint32(at + 64, p.entries.length, true);
    at += 68;
    for (const e of p.entries) {
      plain.set(e.id, at);
      view.setUint8(at + 32, KINDS.indexOf(e.kind));
      view.setUint32(at + 33, e.offset, true);
      view.setUint32(at + 37, e.length, true);
      at += 41;
    }
  }
  return seal(keys.metadataKey, plain, AAD);
}

/**
 * `packs` cut into lists whose sealed index blob is at most `maxBytes` — in order, a pack
 * whose entries do not fit in what is left going on in the next list.
 */
export function splitIndex(packs: IndexedPack[], maxBytes: number): IndexedPack[][] {
  const room = maxBytes - SEAL_OVERHEAD - HEADER_BYTES;
  if (room < PACK_BYTES + ENTRY_BYTES)
    throw new RangeError(`an index blob of at most ${maxBytes} bytes cannot list a chunk`);
  const parts: IndexedPack[][] = [[]];
  let left = room;
  for (const pack of packs) {
    let from = 0;
    do {
      if (left < PACK_BYTES + ENTRY_BYTES) {
        parts.push([]);
        left = room;
      }
      const fit = Math.min(
        pack.entries.length - from,
        Math.floor((left - PACK_BYTES) / ENTRY_BYTES),
      );
      parts.at(-1)!.push({ ...pack, entries: pack.entries.slice(from, from + fit) });
      left -= PACK_BYTES + fit * ENTRY_BYTES;
      from += fit;
    } while (from < pack.entries.length);
  }
  return parts;
}

export function openIndex(keys: RepoKeys, bytes: Uint8Array, what = 'index blob'): IndexedPack[] {
  const plain = open(keys.metadataKey, bytes, what, AAD);
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  if (!MAGIC.every((b, i) => plain[i] === b))
    throw new CorruptDataError(`${what} (not a Floe index)`);
  let at = MAGIC.length;
  const version = view.getUint8(at++);
  if (version !== VERSION)
    throw new Error(`${what} has format ${version}; this Floe reads ${VERSION}: update Floe`);
  try {
    const count = view.getUint32(at, true);
    at += 4;
    const packs: IndexedPack[] = [];
    for (let p = 0; p < count; p++) {
      const blobId = blobIdToString(plain.slice(at, at + 32));
      const packId = plain.slice(at + 32, at + 64);
      const n = view.getUint32(at + 64, true);
      at += 68;
      const entries: PackEntry[] = [];
      for (let i = 0; i < n; i++) {
        const kind = KINDS[view.getUint8(at + 32)];
        if (!kind) throw new RangeError('unknown chunk kind');
        entries.push({
          id: plain.slice(at, at + 32),
          kind,
          offset: view.getUint32(at + 33, true),
          length: view.getUint32(at + 37, true),
        });
        at += 41;
      }
      packs.push({ blobId, packId, entries });
    }
    if (at !== plain.length) throw new RangeError('trailing bytes');
    return packs;
  } catch (error) {
    throw new CorruptDataError(`${what} (${(error as Error).message})`);
  }
}
