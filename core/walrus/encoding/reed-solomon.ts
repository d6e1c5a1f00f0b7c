/**
 * Reed–Solomon encoding over GF(2^16) exactly as the `reed-solomon-simd` crate that
 * Walrus uses computes it (Lin–Chung–Han additive FFT in the Cantor basis, the
 * "Leopard" construction). walrus-wasm encodes whole blobs, but a storage node that
 * receives one sliver, and a reader that receives a few, must expand that single sliver
 * to all n symbols to recompute its Merkle root: that is what this module is for.
 *
 * Field elements are 16 bits. The crate pairs a symbol's bytes into elements in 64-byte
 * chunks — byte i and byte i + 32 form element i — and a shorter tail of t bytes pairs
 * byte j with byte t/2 + j. Every field operation acts on one element position across
 * shards, so we compute on the real elements only and never on the crate's padding.
 */

const GF_BITS = 16;
const GF_ORDER = 1 << GF_BITS;
const GF_MODULUS = GF_ORDER - 1;
const GF_POLYNOMIAL = 0x1002d;
const CANTOR_BASIS = [
  0x0001, 0xacca, 0x3c0e, 0x163e, 0xc582, 0xed2e, 0x914c, 0x4012, 0x6c98, 0x10d8, 0x6a72, 0xb900,
  0xfdb8, 0xfb34, 0xff38, 0x991e,
];

interface Tables {
  /** Discrete logarithm of a Cantor-basis element. */
  log: Uint16Array;
  /** Cantor-basis element of a discrete logarithm (index 65535 wraps to 0). */
  exp: Uint16Array;
  /** Per-butterfly twiddle logarithms of the additive FFT. */
  skew: Uint16Array;
}

let tables: Tables | null = null;

function addMod(x: number, y: number): number {
  const sum = x + y;
  return (sum + (sum >>> GF_BITS)) & GF_MODULUS;
}

function mulLog(x: number, logM: number, t: Tables): number {
  return x === 0 ? 0 : t.exp[addMod(t.log[x]!, logM)]!;
}

function buildTables(): Tables {
  const exp = new Uint16Array(GF_ORDER);
  const log = new Uint16Array(GF_ORDER);
  // Discrete logs in the polynomial basis from the LFSR of the field polynomial.
  let state = 1;
  for (let i = 0; i < GF_MODULUS; i++) {
    exp[state] = i;
    state <<= 1;
    if (state >= GF_ORDER) state ^= GF_POLYNOMIAL;
  }
  exp[0] = GF_MODULUS;
  // Re-express every element in the Cantor basis, whose subspaces make the FFT additive.
  log[0] = 0;
  for (let i = 0; i < GF_BITS; i++) {
    const width = 1 << i;
    for (let j = 0; j < width; j++) log[j + width] = log[j]! ^ CANTOR_BASIS[i]!;
  }
  for (let i = 0; i < GF_ORDER; i++) log[i] = exp[log[i]!]!;
  for (let i = 0; i < GF_ORDER; i++) exp[log[i]!] = i;
  exp[GF_MODULUS] = exp[0]!;

  const t: Tables = { log, exp, skew: new Uint16Array(GF_MODULUS) };
  const skew = t.skew;
  const temp = new Array<number>(GF_BITS - 1);
  for (let i = 1; i < GF_BITS; i++) temp[i - 1] = 1 << i;
  for (let m = 0; m < GF_BITS - 1; m++) {
    const step = 1 << (m + 1);
    skew[(1 << m) - 1] = 0;
    for (let i = m; i < GF_BITS - 1; i++) {
      const s = 1 << (i + 1);
      for (let j = (1 << m) - 1; j < s; j += step) skew[j + s] = skew[j]! ^ temp[i]!;
    }
    temp[m] = GF_MODULUS - log[mulLog(temp[m]!, log[temp[m]! ^ 1]!, t)]!;
    for (let i = m + 1; i < GF_BITS - 1; i++) {
      temp[i] = mulLog(temp[i]!, addMod(log[temp[i]! ^ 1]!, temp[m]!), t);
    }
  }
  for (let i = 0; i < GF_MODULUS; i++) skew[i] = log[skew[i]!]!;
  return t;
}

function getTables(): Tables {
  tables ??= buildTables();
  return tables;
}

/** Shards as rows of one flat array: row r holds `width` elements from r * width. */
class Work {
  readonly data: Uint16Array;
  constructor(
    readonly rows: number,
    readonly width: number,
  ) {
    this.data = new Uint16Array(rows * width);
  }

  /** a ^= b * m; b ^= a (forward butterfly) or the inverse order, over whole rows. */
  butterfly(a: number, b: number, logM: number, inverse: boolean, t: Tables): void {
    const d = this.data;
    const w = this.width;
    const ao = a * w;
    const bo = b * w;
    const { exp, log } = t;
    const multiply = logM !== GF_MODULUS;
    if (inverse) {
      for (let i = 0; i < w; i++) d[bo + i] = d[bo + i]! ^ d[ao + i]!;
    }
    if (multiply) {
      for (let i = 0; i < w; i++) {
        const y = d[bo + i]!;
        if (y !== 0) {
          const sum = log[y]! + logM;
          d[ao + i] = d[ao + i]! ^ exp[(sum + (sum >>> 16)) & 0xffff]!;
        }
      }
    }
    if (!inverse) {
      for (let i = 0; i < w; i++) d[bo + i] = d[bo + i]! ^ d[ao + i]!;
    }
  }

  xorRows(dst: number, src: number, count: number): void {
    const d = this.data;
    const start = dst * this.width;
    const from = src * this.width;
    const len = count * this.width;
    for (let i = 0; i < len; i++) d[start + i] = d[start + i]! ^ d[from + i]!;
  }
}

function fft(
  work: Work,
  pos: number,
  size: number,
  truncated: number,
  skewDelta: number,
  t: Tables,
): void {
  for (let dist = size >>> 1; dist > 0; dist >>>= 1) {
    for (let r = 0; r < truncated; r += dist * 2) {
      const logM = t.skew[r + dist + skewDelta - 1]!;
      for (let i = r; i < r + dist; i++) work.butterfly(pos + i, pos + i + dist, logM, false, t);
    }
  }
}

function ifft(
  work: Work,
  pos: number,
  size: number,
  truncated: number,
  skewDelta: number,
  t: Tables,
): void {
  for (let dist = 1; dist < size; dist <<= 1) {
    for (let r = 0; r < truncated; r += dist * 2) {
      const logM = t.skew[r + dist + skewDelta - 1]!;
      for (let i = r; i < r + dist; i++) work.butterfly(pos + i, pos + i + dist, logM, true, t);
    }
  }
}

function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p <<= 1;
  return p;
}

/**
 * The crate picks one of two evaluation layouts from the shard counts, and the two give
 * different recovery symbols, so the choice must be the crate's to the letter.
 */
export function usesHighRate(originalCount: number, recoveryCount: number): boolean {
  const originalPow2 = nextPowerOfTwo(originalCount);
  const recoveryPow2 = nextPowerOfTwo(recoveryCount);
  const smaller = Math.min(originalPow2, recoveryPow2);
  const larger = Math.max(originalCount, recoveryCount);
  if (originalCount === 0 || recoveryCount === 0 || smaller + larger > GF_ORDER) {
    throw new RangeError(
      `unsupported shard counts: ${originalCount} original, ${recoveryCount} recovery`,
    );
  }
  if (originalPow2 < recoveryPow2) return false;
  if (originalPow2 > recoveryPow2) return true;
  return originalCount <= recoveryCount;
}

/** Symbol bytes → field elements, in the crate's pairing. */
export function symbolToElements(bytes: Uint8Array, out: Uint16Array, offset: number): void {
  const whole = bytes.length >>> 6;
  let e = offset;
  for (let c = 0; c < whole; c++) {
    const base = c << 6;
    for (let i = 0; i < 32; i++) out[e++] = bytes[base + i]! | (bytes[base + 32 + i]! << 8);
  }
  const tail = bytes.length & 63;
  const half = tail >>> 1;
  const base = whole << 6;
  for (let j = 0; j < half; j++) out[e++] = bytes[base + j]! | (bytes[base + half + j]! << 8);
}

/** Field elements → symbol bytes, inverse of `symbolToElements`. */
export function elementsToSymbol(elements: Uint16Array, offset: number, out: Uint8Array): void {
  const whole = out.length >>> 6;
  let e = offset;
  for (let c = 0; c < whole; c++) {
    const base = c << 6;
    for (let i = 0; i < 32; i++) {
      const v = elements[e++]!;
      out[base + i] = v & 0xff;
      out[base + 32 + i] = v >>> 8;
    }
  }
  const tail = out.length & 63;
  const half = tail >>> 1;
  const base = whole << 6;
  for (let j = 0; j < half; j++) {
    const v = elements[e++]!;
    out[base + j] = v & 0xff;
    out[base + half + j] = v >>> 8;
  }
}

/**
 * Computes the `recoveryCount` repair symbols of `originals` (equal-sized, even-length
 * symbols). Walrus lays out an expanded sliver as the originals followed by these.
 */
export function encodeRecovery(originals: Uint8Array[], recoveryCount: number): Uint8Array[] {
  const k = originals.length;
  const symbolSize = originals[0]?.length ?? 0;
  if (k === 0 || symbolSize % 2 !== 0)
    throw new RangeError('symbols must be non-empty with an even size');
  const t = getTables();
  const width = symbolSize >>> 1;
  let work: Work;

  if (usesHighRate(k, recoveryCount)) {
    const chunk = nextPowerOfTwo(recoveryCount);
    work = new Work(Math.ceil(k / chunk) * chunk, width);
    originals.forEach((s, i) => symbolToElements(s, work.data, i * width));
    ifft(work, 0, chunk, Math.min(k, chunk), chunk, t);
    if (k > chunk) {
      let start = chunk;
      for (; start + chunk <= k; start += chunk) {
        ifft(work, start, chunk, chunk, start + chunk, t);
        work.xorRows(0, start, chunk);
      }
      const last = k % chunk;
      if (last > 0) {
        ifft(work, start, chunk, last, start + chunk, t);
        work.xorRows(0, start, chunk);
      }
    }
    fft(work, 0, chunk, recoveryCount, 0, t);
  } else {
    const chunk = nextPowerOfTwo(k);
    work = new Work(Math.max(chunk, Math.ceil(recoveryCount / chunk) * chunk), width);
    originals.forEach((s, i) => symbolToElements(s, work.data, i * width));
    ifft(work, 0, chunk, k, 0, t);
    for (let start = chunk; start < recoveryCount; start += chunk) {
      work.data.copyWithin(start * width, 0, chunk * width);
    }
    let start = 0;
    for (; start + chunk <= recoveryCount; start += chunk)
      fft(work, start, chunk, chunk, start + chunk, t);
    const last = recoveryCount % chunk;
    if (last > 0) fft(work, start, chunk, last, start + chunk, t);
  }

  const recovery: Uint8Array[] = [];
  for (let r = 0; r < recoveryCount; r++) {
    const out = new Uint8Array(symbolSize);
    elementsToSymbol(work.data, r * width, out);
    recovery.push(out);
  }
  return recovery;
}

/** Multiplication in the crate's field (elements in its Cantor-basis representation). */
export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  const t = getTables();
  return t.exp[addMod(t.log[a]!, t.log[b]!)]!;
}

export function gfInverse(a: number): number {
  if (a === 0) throw new RangeError('zero has no inverse');
  const t = getTables();
  return t.exp[(GF_MODULUS - t.log[a]!) % GF_MODULUS]!;
}
