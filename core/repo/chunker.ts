/**
 * Content-defined chunking, FastCDC-style: a gear rolling hash over the bytes since the
 * last cut, a cut where its top bits are all zero — harder to satisfy before the average
 * size, easier after ("normalized chunking"), so sizes cluster around the average — and
 * hard bounds at the minimum (no hashing at all below it) and maximum. Because cut points
 * depend only on nearby content, an edit in a large file moves the boundaries next to it
 * and the rest of the file dedups.
 *
 * The gear table is derived from a key, so chunk boundaries (and so chunk sizes, which
 * pack sizes would sum) are specific to one repository, as restic does with its
 * per-repository polynomial.
 *
 * The cut-point search runs in the native addon when it loads (core/repo/native), and
 * otherwise in the TypeScript `scriptCutter` below, which defines the cut points: the
 * tests hold the native one to it, byte for byte.
 */
import { createHmac } from 'node:crypto';
import { open } from 'node:fs/promises';
import { probeNativeCutter } from './native/index.js';

export interface ChunkerParams {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

/** ~1 MiB chunks: large enough that per-chunk index and crypto overhead are small. */
export const DEFAULT_CHUNKER: ChunkerParams = {
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4 * 1024 * 1024,
};

export type GearTable = Uint32Array;

export function gearTable(key: Uint8Array): GearTable {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    table[i] = createHmac('sha256', key).update(Uint8Array.of(i)).digest().readUInt32LE(0);
  }
  return table;
}

function log2(x: number): number {
  if (!Number.isInteger(Math.log2(x)))
    throw new RangeError(`the average chunk size must be a power of two, not ${x}`);
  return Math.log2(x);
}

export interface Cutter {
  /**
   * Length of the next chunk starting at `from`, or -1 when `data[from..end)` holds no cut
   * yet and is shorter than the maximum. Scanning resumes where the last call stopped, so
   * a chunk arriving in many small reads is hashed once.
   */
  find(data: Uint8Array, from: number, end: number): number;
}

/** Makes the cutter for one stream; the parameters are already checked. */
export type CutterFactory = (p: ChunkerParams, gear: GearTable) => Cutter;

function checkParams(p: ChunkerParams): void {
  if (!(p.minSize > 0 && p.minSize < p.avgSize && p.avgSize < p.maxSize)) {
    throw new RangeError('chunk sizes must satisfy 0 < min < avg < max');
  }
  log2(p.avgSize);
}

/** The TypeScript cutter: the definition of Floe's cut points, and the fallback. */
export const scriptCutter: CutterFactory = (p, gear) => {
  const bits = log2(p.avgSize);
  // Two more bits before the average, two fewer after (FastCDC's normalization level 2).
  const shiftHard = 32 - (bits + 2);
  const shiftEasy = 32 - (bits - 2);
  let scanned = p.minSize; // offset from the chunk start of the next byte to hash
  let h = 0;
  const found = (length: number) => {
    scanned = p.minSize;
    h = 0;
    return length;
  };
  // The hash's top bits are tested through masks on a signed 32-bit value held in a local:
  // an unsigned one at or above 2^31 written back to the closure every byte was a heap
  // number allocated per byte (5.5 bytes of garbage per byte chunked, most of a backup's GC).
  const hardMask = ~0 << shiftHard;
  const easyMask = ~0 << shiftEasy;
  return {
    find(data, from, end) {
      const normal = Math.min(from + p.avgSize, end);
      const limit = Math.min(from + p.maxSize, end);
      let i = from + scanned;
      let hash = h;
      for (; i < normal; i++) {
        hash = ((hash << 1) + gear[data[i]!]!) | 0;
        if ((hash & hardMask) === 0) return found(i + 1 - from);
      }
      for (; i < limit; i++) {
        hash = ((hash << 1) + gear[data[i]!]!) | 0;
        if ((hash & easyMask) === 0) return found(i + 1 - from);
      }
      if (end - from >= p.maxSize) return found(p.maxSize);
      h = hash;
      scanned = Math.max(scanned, i - from);
      return -1;
    },
  };
};

const native = probeNativeCutter().GearCutter;

/** The native cutter (same cut points, at memory speed), or null without the addon. */
export const nativeCutter: CutterFactory | null = native
  ? (p, gear) => new native(gear, p.minSize, p.avgSize, p.maxSize)
  : null;

/** What `chunkStream` and `chunkBuffer` use unless told otherwise. */
export const defaultCutter: CutterFactory = nativeCutter ?? scriptCutter;

function cutter(p: ChunkerParams, gear: GearTable, make: CutterFactory): Cutter {
  checkParams(p);
  return make(p, gear);
}

/** The window a stream starts with: most files are small, and their chunk fits in it. */
const INITIAL_WINDOW = 64 * 1024;

/**
 * The bytes of a stream not yet cut: at most two maximum-size chunks, in a window that
 * starts at 64 KiB and grows as a stream needs it (so thousands of small files do not each
 * allocate, and zero, two maxima). Appending slides the unconsumed tail to the front first
 * when the window is full, which invalidates the views `next` returned.
 */
class ChunkWindow {
  buf: Uint8Array;
  start = 0;
  end = 0;

  constructor(private readonly limit: number) {
    this.buf = new Uint8Array(Math.min(INITIAL_WINDOW, limit));
  }

  /** Makes room to append, sliding or growing the window when it is full. */
  makeRoom(): void {
    if (this.end < this.buf.length) return;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    } else {
      // Less than a maximum chunk is buffered (or a cut would have been found): grow.
      const grown = new Uint8Array(Math.min(this.buf.length * 2, this.limit));
      grown.set(this.buf.subarray(0, this.end));
      this.buf = grown;
    }
  }

  /** The next chunk, as a view into the window, or null until more bytes arrive. */
  next(cut: Cutter): Uint8Array | null {
    const size = cut.find(this.buf, this.start, this.end);
    if (size < 0) return null;
    const chunk = this.buf.subarray(this.start, this.start + size);
    this.start += size;
    return chunk;
  }

  /** At the end of the stream: what is left (shorter than the maximum), and an empty window. */
  rest(): Uint8Array | null {
    const rest = this.end > this.start ? this.buf.subarray(this.start, this.end) : null;
    this.start = this.end = 0;
    return rest;
  }
}

/**
 * Splits a stream into chunks. Holds at most two maximum-size chunks of the stream; each
 * yielded chunk is a fresh copy the caller may keep.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  gear: GearTable,
  params: ChunkerParams = DEFAULT_CHUNKER,
  makeCutter: CutterFactory = defaultCutter,
): AsyncGenerator<Uint8Array> {
  const cut = cutter(params, gear, makeCutter);
  const w = new ChunkWindow(params.maxSize * 2);
  for await (const piece of source) {
    let offset = 0;
    while (offset < piece.length) {
      w.makeRoom();
      const n = Math.min(piece.length - offset, w.buf.length - w.end);
      w.buf.set(piece.subarray(offset, offset + n), w.end);
      w.end += n;
      offset += n;
      for (let c = w.next(cut); c; c = w.next(cut)) yield c.slice();
    }
  }
  const rest = w.rest();
  if (rest) yield rest.slice();
}

/**
 * Chunks files for a backup, reading each straight into one window that it keeps from file
 * to file: no read buffers, streams or windows allocated per file (a 1 MiB read-stream
 * buffer per file made garbage collection most of a backup of many small files).
 */
export class FileChunker {
  private readonly window: ChunkWindow;

  constructor(
    private readonly gear: GearTable,
    private readonly params: ChunkerParams = DEFAULT_CHUNKER,
    private readonly makeCutter: CutterFactory = defaultCutter,
  ) {
    checkParams(params);
    this.window = new ChunkWindow(params.maxSize * 2);
  }

  /**
   * A file of at most this many bytes is one chunk (none if empty): no cut is looked for
   * before the minimum size, so its cut points need no hashing.
   */
  get oneChunkLimit(): number {
    return this.params.minSize;
  }

  /**
   * The chunks of the file at `path`, one file at a time. Each is a view into the window,
   * valid until the next one is asked for: copy it to keep it.
   */
  async *chunks(path: string | Buffer): AsyncGenerator<Uint8Array> {
    const cut = this.makeCutter(this.params, this.gear);
    const w = this.window;
    w.rest();
    const file = await open(path, 'r');
    try {
      for (;;) {
        w.makeRoom();
        const { bytesRead } = await file.read(w.buf, w.end, w.buf.length - w.end, null);
        if (bytesRead === 0) break;
        w.end += bytesRead;
        for (let c = w.next(cut); c; c = w.next(cut)) yield c;
      }
      const rest = w.rest();
      if (rest) yield rest;
    } finally {
      await file.close();
    }
  }
}

/** Chunks of a buffer already in memory. */
export function chunkBuffer(
  data: Uint8Array,
  gear: GearTable,
  params: ChunkerParams = DEFAULT_CHUNKER,
  makeCutter: CutterFactory = defaultCutter,
): Uint8Array[] {
  const cut = cutter(params, gear, makeCutter);
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < data.length) {
    const size = cut.find(data, start, data.length);
    const len = size < 0 ? data.length - start : size;
    out.push(data.subarray(start, start + len));
    start += len;
  }
  return out;
}
