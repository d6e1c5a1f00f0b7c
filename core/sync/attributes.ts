/**
 * The on-chain attributes of Floe's blobs. Everything on Walrus is public, so they say
 * only what a new machine needs to find its backups: that the blob is Floe's, which kind
 * of object it holds, and the format version. Names, sizes and tree shapes stay inside
 * the encrypted blobs.
 */
export const APP_TAG = 'floe';
export const FORMAT_VERSION = '1';

export type BlobKind = 'pack' | 'index' | 'snapshot';

export function blobAttributes(kind: BlobKind): Record<string, string> {
  return { app: APP_TAG, kind, v: FORMAT_VERSION };
}

export function isFloeBlob(attributes: Record<string, string>, kind: BlobKind): boolean {
  return attributes.app === APP_TAG && attributes.kind === kind;
}
