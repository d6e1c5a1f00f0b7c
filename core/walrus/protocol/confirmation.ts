/**
 * The storage confirmation a node signs when it holds all of its shards' slivers of a
 * blob, and that the chain verifies (aggregated) to certify the blob. Byte layout from
 * walrus-core `messages.rs` and `messages/storage_confirmation.rs`, matched by the Move
 * package's `messages.move`: intent (type, version, app id), epoch (u32 LE), blob id,
 * persistence type (Permanent | Deletable(object id)).
 */
import { bcs } from '@mysten/sui/bcs';

/** Intent type of a blob certification message; version 0; app id 3 is "storage". */
const BLOB_CERT_INTENT = 1;
const INTENT_VERSION = 0;
const STORAGE_APP_ID = 3;

export type BlobPersistence = { deletable: false } | { deletable: true; objectId: string };

const ConfirmationBcs = bcs.struct('ProtocolMessage<StorageConfirmationBody>', {
  intent_type: bcs.u8(),
  intent_version: bcs.u8(),
  intent_app_id: bcs.u8(),
  epoch: bcs.u32(),
  blob_id: bcs.fixedArray(32, bcs.u8()),
  blob_type: bcs.enum('BlobPersistenceType', { Permanent: null, Deletable: bcs.Address }),
});

export function confirmationMessage(
  epoch: number,
  blobId: Uint8Array,
  persistence: BlobPersistence,
): Uint8Array {
  return ConfirmationBcs.serialize({
    intent_type: BLOB_CERT_INTENT,
    intent_version: INTENT_VERSION,
    intent_app_id: STORAGE_APP_ID,
    epoch,
    blob_id: Array.from(blobId),
    blob_type: persistence.deletable ? { Deletable: persistence.objectId } : { Permanent: true },
  }).toBytes();
}

export interface ParsedConfirmation {
  epoch: number;
  blobId: Uint8Array;
  persistence: BlobPersistence;
}

export class InvalidConfirmationError extends Error {
  constructor(reason: string) {
    super(`invalid storage confirmation: ${reason}`);
    this.name = 'InvalidConfirmationError';
  }
}

export function parseConfirmationMessage(bytes: Uint8Array): ParsedConfirmation {
  let v: ReturnType<typeof ConfirmationBcs.parse>;
  try {
    v = ConfirmationBcs.parse(bytes);
  } catch (error) {
    throw new InvalidConfirmationError((error as Error).message);
  }
  if (
    v.intent_type !== BLOB_CERT_INTENT ||
    v.intent_version !== INTENT_VERSION ||
    v.intent_app_id !== STORAGE_APP_ID
  ) {
    throw new InvalidConfirmationError(
      `unexpected intent ${v.intent_type}/${v.intent_version}/${v.intent_app_id}`,
    );
  }
  const persistence: BlobPersistence =
    v.blob_type.$kind === 'Deletable'
      ? { deletable: true, objectId: v.blob_type.Deletable }
      : { deletable: false };
  const parsed = { epoch: v.epoch, blobId: Uint8Array.from(v.blob_id), persistence };
  const again = confirmationMessage(parsed.epoch, parsed.blobId, parsed.persistence);
  if (again.length !== bytes.length) throw new InvalidConfirmationError('trailing bytes');
  return parsed;
}
