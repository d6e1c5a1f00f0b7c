/**
 * A set of snapshots as bits over their positions in time order (oldest = 0): the search
 * queries merge the snapshots a tree appears in up the folder hierarchy, thousands of
 * unions per query, and a few machine words do that where a Set of ids would allocate.
 */
export class SnapshotSet {
  private constructor(private readonly words: Uint32Array) {}

  static empty(size: number): SnapshotSet {
    return new SnapshotSet(new Uint32Array(Math.ceil(size / 32)));
  }

  static of(size: number, positions: Iterable<number>): SnapshotSet {
    const s = SnapshotSet.empty(size);
    for (const p of positions) s.add(p);
    return s;
  }

  add(position: number): void {
    this.words[position >>> 5]! |= 1 << (position & 31);
  }

  has(position: number): boolean {
    return (this.words[position >>> 5]! & (1 << (position & 31))) !== 0;
  }

  /** Adds every member of `other` (of the same size). */
  addAll(other: SnapshotSet): void {
    for (let i = 0; i < this.words.length; i++) this.words[i]! |= other.words[i]!;
  }

  intersect(other: SnapshotSet): SnapshotSet {
    const out = new Uint32Array(this.words.length);
    for (let i = 0; i < out.length; i++) out[i] = this.words[i]! & other.words[i]!;
    return new SnapshotSet(out);
  }

  isEmpty(): boolean {
    return this.words.every((w) => w === 0);
  }

  /** Members, oldest first. */
  *positions(): Generator<number> {
    for (let i = 0; i < this.words.length; i++) {
      let w = this.words[i]!;
      while (w !== 0) {
        const bit = 31 - Math.clz32(w & -w);
        yield i * 32 + bit;
        w &= w - 1;
      }
    }
  }

  size(): number {
    let n = 0;
    for (const w of this.words) {
      let v = w - ((w >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    return n;
  }

  /** The newest member, or -1. */
  last(): number {
    for (let i = this.words.length - 1; i >= 0; i--) {
      const w = this.words[i]!;
      if (w !== 0) return i * 32 + 31 - Math.clz32(w);
    }
    return -1;
  }

  /** The oldest member, or -1. */
  first(): number {
    for (let i = 0; i < this.words.length; i++) {
      const w = this.words[i]!;
      if (w !== 0) return i * 32 + 31 - Math.clz32(w & -w);
    }
    return -1;
  }
}
