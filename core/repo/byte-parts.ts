/**
 * Bytes given as parts, whose concatenation is the whole: a blob decoded from its
 * systematic slivers is the slivers' data one after another, and is read from there
 * rather than copied into one buffer first.
 */

export function partsLength(parts: Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** Views of the bytes [start, end) of the whole, in order (no copy). */
export function partsRange(parts: Uint8Array[], start: number, end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of parts) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, p.length);
    if (from < to) out.push(p.subarray(from, to));
    at += p.length;
    if (at >= end) break;
  }
  return out;
}

/** The bytes [start, end) of the whole, in a buffer of their own. */
export function partsBytes(parts: Uint8Array[], start: number, end: number): Uint8Array {
  return joinParts(partsRange(parts, start, end));
}

/** The whole, in a buffer of its own. */
export function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(partsLength(parts));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
