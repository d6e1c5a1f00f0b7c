/**
 * Walrus `Blob` objects on Sui as Floe's `BlobObject`. The object holds the blob id, size,
 * encoding, epochs and its `Storage`; its attributes sit in a dynamic field (`metadata`)
 * of the object, read alongside it. A deleted blob's object no longer exists, so Sui
 * answers "no such object" where the localnet keeps a record in state `deleted`.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { deriveDynamicFieldID } from '@mysten/sui/utils';
import { blobIdFromBigInt, blobIdToString } from '../encoding/blob-id.js';
import type { BlobObject } from './chain.js';
import { Blob, METADATA_KEY, MetadataField } from './sui-bcs.js';
import type { SuiObject } from './sui-rpc.js';

export function blobType(walrusTypesPackageId: string): string {
  return `${walrusTypesPackageId}::blob::Blob`;
}

export function storageType(walrusTypesPackageId: string): string {
  return `${walrusTypesPackageId}::storage_resource::Storage`;
}

/** Where a Blob object's attributes live, whether or not it has any. */
export function metadataFieldId(blobObjectId: string): string {
  return deriveDynamicFieldID(blobObjectId, METADATA_KEY.type, METADATA_KEY.bcs);
}

export function toBlobObject(
  object: SuiObject,
  metadata: SuiObject | null,
  currentEpoch: number,
): BlobObject {
  const blob = Blob.parse(object.content);
  const endEpoch = blob.storage.end_epoch;
  return {
    objectId: object.objectId,
    blobId: blobIdToString(blobIdFromBigInt(BigInt(blob.blob_id))),
    // Sui's Blob keeps only the blob id that the root hash derives; the hash itself is an
    // argument of the registering transaction and is not stored.
    rootHash: '',
    size: Number(blob.size),
    encodingType: blob.encoding_type,
    registeredEpoch: blob.registered_epoch,
    certifiedEpoch: blob.certified_epoch,
    startEpoch: blob.storage.start_epoch,
    endEpoch,
    storageSize: Number(blob.storage.storage_size),
    deletable: blob.deletable,
    owner: ownerOf(object.owner),
    state:
      endEpoch <= currentEpoch
        ? 'expired'
        : blob.certified_epoch === null
          ? 'registered'
          : 'certified',
    attributes: metadata ? attributesOf(metadata) : {},
  };
}

function attributesOf(field: SuiObject): Record<string, string> {
  const entries = MetadataField.parse(field.content).value.metadata.contents;
  return Object.fromEntries(entries.map((e) => [e.key, e.value]));
}

/** The owning address; a blob wrapped or shared by a contract names its holder instead. */
function ownerOf(owner: SuiClientTypes.ObjectOwner): string {
  switch (owner.$kind) {
    case 'AddressOwner':
      return owner.AddressOwner;
    case 'ObjectOwner':
      return owner.ObjectOwner;
    case 'ConsensusAddressOwner':
      return owner.ConsensusAddressOwner.owner;
    default:
      return owner.$kind.toLowerCase();
  }
}
