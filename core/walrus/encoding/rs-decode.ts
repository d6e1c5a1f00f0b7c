/**
 * Reed–Solomon decoding of one sliver's axis from any k of its n expanded symbols — what
 * RedStuff's symbol-level recovery needs: a node rebuilds one lost sliver from one
 * symbol of each of k other slivers instead of decoding and re-encoding the whole blob.
 *
 * The code `encodeRecovery` computes is linear and systematic (positions below k are the
 * originals), so any k positions determine the originals through the k × k submatrix of
 * its generator; the generator's repair rows are found by encoding unit symbols with the
 * very function that encodes slivers, so decoding can never drift from encoding.
 */
import {
  elementsToSymbol,
  encodeRecovery,
  gfInverse,
  gfMul,
  symbolToElements,
} from './reed-solomon.js';

export class NotEnoughSymbolsError extends Error {
  constructor(
    readonly have: number,
    readonly need: number,
  ) {
    super(`decoding needs ${need} distinct symbols, got ${have}`);
    this.name = 'NotEnoughSymbolsError';
  }
}

/** Repair rows of the generator: row r, column j = coefficient of original j in repair r. */
const generators = new Map<string, number[][]>();

function repairRows(k: number, n: number): number[][] {
  const key = `${k}/${n}`;
  let rows = generators.get(key);
  if (rows) return rows;
  rows = Array.from({ length: n - k }, () => new Array<number>(k).fill(0));
  for (let j = 0; j < k; j++) {
    // Unit symbol j: one element (two bytes) that is 1 in position j, 0 elsewhere.
    const unit = Array.from({ length: k }, (_, i) => Uint8Array.of(i === j ? 1 : 0, 0));
    const repair = encodeRecovery(unit, n - k);
    for (let r = 0; r < n - k; r++) rows[r]![j] = repair[r]![0]! | (repair[r]![1]! << 8);
  }
  generators.set(key, rows);
  return rows;
}

/**
 * The k original symbols of an axis of n, from `symbols` (position → symbol, any k or
 * more of positions 0..n-1, all of one even size).
 */
export function decodeOriginals(
  k: number,
  n: number,
  symbols: Map<number, Uint8Array>,
): Uint8Array[] {
  const positions = [...symbols.keys()].filter((p) => p >= 0 && p < n).sort((a, b) => a - b);
  if (positions.length < k) throw new NotEnoughSymbolsError(positions.length, k);
  const size = symbols.get(positions[0]!)!.length;
  const out: (Uint8Array | null)[] = Array.from({ length: k }, (_, j) => symbols.get(j) ?? null);
  const missing = out.flatMap((s, j) => (s ? [] : [j]));
  if (missing.length === 0) return out as Uint8Array[];

  // Repair symbols stand in for the missing originals: subtract the known originals from
  // each, leaving a square system in the missing ones.
  const repairs = positions.filter((p) => p >= k).slice(0, missing.length);
  const rows = repairRows(k, n);
  const width = size >>> 1;
  const m = missing.length;
  const a = repairs.map((p) => missing.map((j) => rows[p - k]![j]!));
  const rhs = repairs.map((p) => {
    const e = new Uint16Array(width);
    symbolToElements(symbols.get(p)!, e, 0);
    return e;
  });
  const known = new Uint16Array(width);
  for (const [i, p] of repairs.entries()) {
    for (let j = 0; j < k; j++) {
      const s = out[j];
      const c = rows[p - k]![j]!;
      if (!s || c === 0) continue;
      symbolToElements(s, known, 0);
      const r = rhs[i]!;
      for (let w = 0; w < width; w++) r[w]! ^= gfMul(c, known[w]!);
    }
  }
  // Gauss–Jordan over GF(2^16), row operations applied to the right-hand sides alike.
  for (let col = 0; col < m; col++) {
    const pivot = a.findIndex((row, i) => i >= col && row[col] !== 0);
    if (pivot < 0) throw new Error('the repair symbols do not determine the originals');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [rhs[col], rhs[pivot]] = [rhs[pivot]!, rhs[col]!];
    const inv = gfInverse(a[col]![col]!);
    scaleRow(a[col]!, rhs[col]!, inv);
    for (let i = 0; i < m; i++) {
      const f = a[i]![col]!;
      if (i === col || f === 0) continue;
      for (let c = 0; c < m; c++) a[i]![c]! ^= gfMul(f, a[col]![c]!);
      const ri = rhs[i]!;
      const rc = rhs[col]!;
      for (let w = 0; w < width; w++) ri[w]! ^= gfMul(f, rc[w]!);
    }
  }
  for (const [i, j] of missing.entries()) {
    const s = new Uint8Array(size);
    elementsToSymbol(rhs[i]!, 0, s);
    out[j] = s;
  }
  return out as Uint8Array[];
}

function scaleRow(row: number[], rhs: Uint16Array, f: number): void {
  for (let c = 0; c < row.length; c++) row[c] = gfMul(f, row[c]!);
  for (let w = 0; w < rhs.length; w++) rhs[w] = gfMul(f, rhs[w]!);
}
