/**
 * Which of the account's unused storage resources a new blob can go into, as Walrus's
 * `storage_resource.move` allows them to be combined: a resource holds a blob registered
 * now when it has started and lasts at least as long as the blob is to be stored; several
 * covering the very same period fuse into one (`fuse_amount`); one larger than the blob is
 * split (`split_by_size`) so the blob takes its encoded size and the rest stays reusable.
 * Storage bought for stores that were interrupted, or freed by deleted blobs, is paid for
 * already: a registration in it pays only the write fee.
 */
import type { StorageResource } from './chain.js';

export interface StoragePlan {
  /** The resource the blob is registered in. */
  target: StorageResource;
  /** Resources of the same period fused into `target` first. */
  fuse: StorageResource[];
  /** Split the (fused) target to exactly this size first; null when it fits exactly. */
  splitTo: number | null;
}

/** How to store `encodedSize` bytes from `epoch` to at least `endEpoch`, or null to buy. */
export function planStorageReuse(
  resources: StorageResource[],
  epoch: number,
  endEpoch: number,
  encodedSize: number,
): StoragePlan | null {
  const usable = resources
    .filter((r) => r.startEpoch <= epoch && r.endEpoch >= endEpoch && r.size > 0)
    // Least waste first: the shortest period that covers, then the smallest size.
    .sort((a, b) => a.endEpoch - b.endEpoch || a.size - b.size);
  const single = usable.find((r) => r.size >= encodedSize);
  if (single) return { target: single, fuse: [], splitTo: split(single.size, encodedSize) };
  const periods = new Map<string, StorageResource[]>();
  for (const r of usable) {
    const key = `${r.startEpoch}-${r.endEpoch}`;
    periods.set(key, [...(periods.get(key) ?? []), r]);
  }
  for (const group of periods.values()) {
    // Largest first: the fewest fusions that reach the size.
    const sorted = [...group].sort((a, b) => b.size - a.size);
    let total = 0;
    const taken: StorageResource[] = [];
    for (const r of sorted) {
      taken.push(r);
      total += r.size;
      if (total >= encodedSize) {
        const [target, ...fuse] = taken;
        return { target: target!, fuse, splitTo: split(total, encodedSize) };
      }
    }
  }
  return null;
}

function split(size: number, encodedSize: number): number | null {
  return size > encodedSize ? encodedSize : null;
}
