/**
 * What the Walrus contract charges, computed as `system_state_inner.move` does so Floe
 * can gather exactly enough WAL before it asks: storage is sold in units of 1 MiB of
 * encoded size, rounded up (`storage_units_from_size`, `BYTES_PER_UNIT_SIZE`);
 * `reserve_space` and `extend_blob` take `storage_price_per_unit_size × units` for each
 * epoch, `register_blob` takes `write_price_per_unit_size × units` once. The encoded size
 * is `encoding::encoded_blob_length`, which `EncodingConfig.encodedBlobLength` mirrors.
 */

const BYTES_PER_UNIT_SIZE = 1024n * 1024n;

export function storageUnits(encodedSize: number): bigint {
  return (BigInt(encodedSize) + BYTES_PER_UNIT_SIZE - 1n) / BYTES_PER_UNIT_SIZE;
}

/** FROST that `reserve_space` or `extend_blob` takes for `epochs` epochs. */
export function storagePrice(encodedSize: number, epochs: number, pricePerUnit: string): bigint {
  return storageUnits(encodedSize) * BigInt(pricePerUnit) * BigInt(epochs);
}

/** FROST that `register_blob` takes, once. */
export function writePrice(encodedSize: number, pricePerUnit: string): bigint {
  return storageUnits(encodedSize) * BigInt(pricePerUnit);
}
