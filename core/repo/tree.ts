/**
 * Directory trees, stored as chunks like file data (restic's design): a tree lists one
 * directory's entries and names its subdirectories by their tree's chunk id, so an
 * unchanged subtree has an unchanged id and is stored once across all snapshots.
 *
 * Serialisation is canonical JSON (fixed key order, entries sorted by raw name bytes), so
 * equal trees are equal bytes. Names and symlink targets are raw bytes (base64): file
 * names need not be valid UTF-8 and must come back exactly as they were.
 */

export type EntryType = 'file' | 'dir' | 'symlink';

export interface TreeEntry {
  name: Uint8Array;
  type: EntryType;
  size: number;
  /** Modification time in nanoseconds since the epoch (decimal string: beyond 2^53). */
  mtimeNs: string;
  mode: number;
  /** Symlink target, raw bytes. */
  target?: Uint8Array;
  /** File content, in order: chunk ids (hex). */
  chunks?: string[];
  /** Directory: the chunk id (hex) of its tree. */
  subtree?: string;
  /**
   * File: its hard-link group — the folder-relative path ('/'-separated raw bytes) of the
   * group's first member — when other entries of the folder are links to the same inode.
   */
  hardLink?: Uint8Array;
}

interface EntryJson {
  n: string;
  t: EntryType;
  s: number;
  m: string;
  p: number;
  l?: string;
  c?: string[];
  d?: string;
  h?: string;
}

/**
 * Version 1: the original format. Version 2 adds hard-link groups (`h`) and is written
 * only for trees that hold one, so every other tree keeps its bytes — and its id, so
 * unchanged folders are not stored again — and older Floes, which read version 1 only,
 * refuse a tree they would restore wrongly instead of silently splitting its links.
 */
const TREE_VERSION = 1;
const HARD_LINK_VERSION = 2;

export class InvalidTreeError extends Error {
  constructor(reason: string) {
    super(`a directory tree in this backup is unreadable: ${reason}`);
    this.name = 'InvalidTreeError';
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function encodeTree(entries: TreeEntry[]): Uint8Array {
  const sorted = entries.slice().sort((a, b) => compareBytes(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    if (compareBytes(sorted[i - 1]!.name, sorted[i]!.name) === 0)
      throw new InvalidTreeError('two entries have the same name');
  }
  const json = sorted.map((e): EntryJson => {
    const out: EntryJson = {
      n: Buffer.from(e.name).toString('base64'),
      t: e.type,
      s: e.size,
      m: e.mtimeNs,
      p: e.mode,
    };
    if (e.type === 'symlink') out.l = Buffer.from(e.target ?? new Uint8Array()).toString('base64');
    if (e.type === 'file') out.c = e.chunks ?? [];
    if (e.type === 'dir') out.d = e.subtree ?? '';
    if (e.type === 'file' && e.hardLink) out.h = Buffer.from(e.hardLink).toString('base64');
    return out;
  });
  const v = json.some((e) => e.h !== undefined) ? HARD_LINK_VERSION : TREE_VERSION;
  return new TextEncoder().encode(JSON.stringify({ v, e: json }));
}

export function decodeTree(bytes: Uint8Array): TreeEntry[] {
  let doc: { v: number; e: EntryJson[] };
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as typeof doc;
  } catch {
    throw new InvalidTreeError('not JSON');
  }
  if (doc.v !== TREE_VERSION && doc.v !== HARD_LINK_VERSION)
    throw new InvalidTreeError(
      `format ${doc.v}; this Floe reads ${TREE_VERSION} and ${HARD_LINK_VERSION}: update Floe`,
    );
  if (!Array.isArray(doc.e)) throw new InvalidTreeError('no entries');
  return doc.e.map((j) => {
    if (!['file', 'dir', 'symlink'].includes(j.t) || typeof j.n !== 'string')
      throw new InvalidTreeError('malformed entry');
    const e: TreeEntry = {
      name: new Uint8Array(Buffer.from(j.n, 'base64')),
      type: j.t,
      size: j.s,
      mtimeNs: j.m,
      mode: j.p,
    };
    if (j.t === 'symlink') e.target = new Uint8Array(Buffer.from(j.l ?? '', 'base64'));
    if (j.t === 'file') e.chunks = j.c ?? [];
    if (j.t === 'dir') e.subtree = j.d ?? '';
    if (j.t === 'file' && typeof j.h === 'string')
      e.hardLink = new Uint8Array(Buffer.from(j.h, 'base64'));
    return e;
  });
}
