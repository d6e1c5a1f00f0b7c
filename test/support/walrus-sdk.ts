/**
 * The parts of the official `@mysten/walrus` SDK the conformance tests drive: its storage
 * node client, its error classes, its wasm encoder and BLS helpers, and its BCS types.
 * The package exports only its top-level entry, so the internal modules are loaded by
 * file; the shapes below are the SDK's own (dist/*.d.mts), narrowed to what we call.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = join(dirname(createRequire(import.meta.url).resolve('@mysten/walrus')));
const load = (file: string): Promise<unknown> => import(pathToFileURL(join(dist, file)).href);

interface NodeOptions {
  nodeUrl: string;
  headers?: Record<string, string>;
}

export interface SdkStorageNodeClient {
  getBlobMetadata(i: { blobId: string }, o: NodeOptions): Promise<unknown>;
  getBlobStatus(i: { blobId: string }, o: NodeOptions): Promise<Record<string, unknown>>;
  storeBlobMetadata(
    i: { blobId: string; metadata: unknown },
    o: NodeOptions,
  ): Promise<{ success: { code: number; data: string } }>;
  getSliver(
    i: { blobId: string; sliverPairIndex: number; sliverType: 'primary' | 'secondary' },
    o: NodeOptions,
  ): Promise<Uint8Array>;
  storeSliver(
    i: {
      blobId: string;
      sliverPairIndex: number;
      sliverType: 'primary' | 'secondary';
      sliver: Uint8Array;
    },
    o: NodeOptions,
  ): Promise<{ success: { code: number; data: string } }>;
  getPermanentBlobConfirmation(
    i: { blobId: string },
    o: NodeOptions,
  ): Promise<{ success: { code: number; data: { signed: SdkConfirmation } } }>;
  getDeletableBlobConfirmation(
    i: { blobId: string; objectId: string },
    o: NodeOptions,
  ): Promise<{ success: { code: number; data: { signed: SdkConfirmation } } }>;
  getSliverStatus(
    i: { blobId: string; sliverPairIndex: number; sliverType: 'primary' | 'secondary' },
    o: NodeOptions,
  ): Promise<string>;
  getMetadataStatus(i: { blobId: string }, o: NodeOptions): Promise<string>;
}

export interface SdkConfirmation {
  serializedMessage: string;
  signature: string;
}

export interface SdkEncoded {
  primarySlivers: Uint8Array[];
  secondarySlivers: Uint8Array[];
  blobId: string;
  metadata: unknown;
  rootHash: Uint8Array;
}

export interface SdkWasm {
  encodeBlob(nShards: number, bytes: Uint8Array): SdkEncoded;
  combineSignatures(
    confirmations: SdkConfirmation[],
    signerIndices: number[],
  ): { signers: number[]; serializedMessage: Uint8Array; signature: Uint8Array };
  decodePrimarySlivers(
    blobId: string,
    nShards: number,
    size: number,
    slivers: Uint8Array[],
  ): Uint8Array;
  getVerifySignature(): (c: SdkConfirmation, publicKey: Uint8Array) => boolean;
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface WalrusSdk {
  client: SdkStorageNodeClient;
  wasm: SdkWasm;
  errors: {
    StorageNodeAPIError: ErrorClass;
    BadRequestError: ErrorClass;
    BlobNotRegisteredError: ErrorClass;
    NotFoundError: ErrorClass;
    InternalServerError: ErrorClass;
  };
  /** The SDK's BCS of the message a node signs to confirm storage, base64. */
  confirmationMessage(epoch: number, blobId: string, deletableObjectId: string | null): string;
  /** The SDK's `BlobMetadataWithId.parse`. */
  parseMetadataWithId(bytes: Uint8Array): { blobId: string; metadata: unknown };
  /** The SDK's `BlobMetadata.serialize(...).toBytes()`. */
  serializeMetadata(metadata: unknown): Uint8Array;
}

interface BcsModule {
  StorageConfirmation: { serialize(v: unknown): { toBase64(): string } };
  IntentType: { BLOB_CERT_MSG: number };
  BlobMetadataWithId: { parse(b: Uint8Array): { blobId: string; metadata: unknown } };
  BlobMetadata: { serialize(v: unknown): { toBytes(): Uint8Array } };
}

export async function loadWalrusSdk(): Promise<WalrusSdk> {
  const { StorageNodeClient } = (await load('storage-node/client.mjs')) as {
    StorageNodeClient: new () => SdkStorageNodeClient;
  };
  const errors = (await load('storage-node/error.mjs')) as WalrusSdk['errors'];
  const { getWasmBindings } = (await load('wasm.mjs')) as {
    getWasmBindings(url?: string): Promise<SdkWasm>;
  };
  const bcs = (await load('utils/bcs.mjs')) as BcsModule;
  return {
    client: new StorageNodeClient(),
    wasm: await getWasmBindings(),
    errors,
    confirmationMessage: (epoch, blobId, objectId) =>
      bcs.StorageConfirmation.serialize({
        intent: bcs.IntentType.BLOB_CERT_MSG,
        epoch,
        messageContents: {
          blobId,
          blobType: objectId ? { Deletable: { objectId } } : { Permanent: null },
        },
      }).toBase64(),
    parseMetadataWithId: (bytes) => bcs.BlobMetadataWithId.parse(bytes),
    serializeMetadata: (m) => bcs.BlobMetadata.serialize(m).toBytes(),
  };
}
