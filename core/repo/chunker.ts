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
  return {
    find(data, from, end) {
      const normal = Math.min(from + p.avgSize, end);
      const limit = Math.min(from + p.maxSize, end);
      let i = from + scanned;
      for (; i < normal; i++) {
        h = ((h << 1) + gear[data[i]!]!) >>> 0;
        if (h >>> shiftHard === 0) return found(i + 1 - from);
      }
      for (; i < limit; i++) {
        h = ((h << 1) + gear[data[i]!]!) >>> 0;
        if (h >>> shiftEasy === 0) return found(i + 1 - from);
      }
      if (end - from >= p.maxSize) return found(p.maxSize);
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
 * Splits a stream into chunks. Holds at most two maximum-size chunks of the stream; each
 * yielded chunk is a fresh copy the caller may keep. The window grows from 64 KiB as the
 * stream needs it, so the thousands of small files of a backup do not each allocate (and
 * zero) two maximum chunks.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  gear: GearTable,
  params: ChunkerParams = DEFAULT_CHUNKER,
  makeCutter: CutterFactory = defaultCutter,
): AsyncGenerator<Uint8Array> {
  const cut = cutter(params, gear, makeCutter);
  const limit = params.maxSize * 2;
  let buf = new Uint8Array(Math.min(INITIAL_WINDOW, limit));
  let start = 0;
  let end = 0;
  for await (const piece of source) {
    let offset = 0;
    while (offset < piece.length) {
      if (end === buf.length && start > 0) {
        // Slide the unconsumed tail to the front before appending more.
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      } else if (end === buf.length) {
        // Less than a maximum chunk is buffered (or a cut would have been found): grow.
        const grown = new Uint8Array(Math.min(buf.length * 2, limit));
        grown.set(buf.subarray(0, end));
        buf = grown;
      }
      const n = Math.min(piece.length - offset, buf.length - end);
      buf.set(piece.subarray(offset, offset + n), end);
      end += n;
      offset += n;
      for (;;) {
        const size = cut.find(buf, start, end);
        if (size < 0) break;
        yield buf.slice(start, start + size);
        start += size;
      }
    }
  }
  // The stream ended: what is left (shorter than the maximum) is the last chunk.
  if (end > start) yield buf.slice(start, end);
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
