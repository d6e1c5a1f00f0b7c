/**
 * `GET /v1/blobs/{id}/status` as walrus-service computes it from its blob info
 * (`storage/blob_info.rs` `to_blob_status`, `walrus-storage-node-client` `api.rs`
 * `BlobStatus`): the strongest live registration of the blob id — permanent before
 * deletable — with the chain event that put it in that state.
 */
import { toBase58 } from '@mysten/bcs';
import { blake2b } from '@noble/hashes/blake2.js';
import type { BlobObject, ChainEvent } from '../../walrus/chain/chain.js';

/** Sui's `EventID`: the transaction and the event's position in it. */
export interface StatusEvent {
  txDigest: string;
  eventSeq: string;
}

interface DeletableCounts {
  count_deletable_total: number;
  count_deletable_certified: number;
}

export type BlobStatus =
  | 'nonexistent'
  | {
      permanent: {
        endEpoch: number;
        isCertified: boolean;
        statusEvent: StatusEvent;
        deletableCounts: DeletableCounts;
        initialCertifiedEpoch: number | null;
      };
    }
  | { deletable: { initialCertifiedEpoch: number | null; deletableCounts: DeletableCounts } };

/** Events that change a Blob object's status. */
const STATUS_EVENTS = new Set(['BlobRegistered', 'BlobCertified', 'BlobExtended']);

/** The last status-changing event of each Blob object, as the node follows the chain. */
export class BlobStatusEvents {
  private readonly byObject = new Map<string, StatusEvent>();

  record(e: ChainEvent): void {
    const objectId = e.data.objectId;
    if (typeof objectId !== 'string') return;
    if (e.type === 'BlobDeleted' || e.type === 'BlobExpired') this.byObject.delete(objectId);
    else if (STATUS_EVENTS.has(e.type)) this.byObject.set(objectId, statusEvent(e));
  }

  of(objectId: string): StatusEvent | undefined {
    return this.byObject.get(objectId);
  }
}

/**
 * The ledger numbers its events but does not yet record the transaction each came from;
 * until it does, the digest is derived from the event's number, so it is stable and
 * unique as Sui's is.
 */
function statusEvent(e: ChainEvent): StatusEvent {
  const digest = (e as ChainEvent & { txDigest?: string }).txDigest;
  return {
    txDigest:
      digest ??
      toBase58(blake2b(new TextEncoder().encode(`localnet-event-${e.seq}`), { dkLen: 32 })),
    eventSeq: String(e.seq),
  };
}

/** `live` are the blob id's registered or certified objects that have not expired. */
export function blobStatus(live: BlobObject[], events: BlobStatusEvents): BlobStatus {
  if (live.length === 0) return 'nonexistent';
  const deletable = live.filter((b) => b.deletable);
  const deletableCounts = {
    count_deletable_total: deletable.length,
    count_deletable_certified: deletable.filter((b) => b.certifiedEpoch !== null).length,
  };
  const certified = live.map((b) => b.certifiedEpoch).filter((e): e is number => e !== null);
  const initialCertifiedEpoch = certified.length ? Math.min(...certified) : null;
  const permanent = live.filter((b) => !b.deletable);
  if (permanent.length === 0) return { deletable: { initialCertifiedEpoch, deletableCounts } };
  // The permanent object that decides the status: certified first, then the latest end.
  const lead = [...permanent].sort(
    (a, b) =>
      Number(b.certifiedEpoch !== null) - Number(a.certifiedEpoch !== null) ||
      b.endEpoch - a.endEpoch,
  )[0]!;
  return {
    permanent: {
      endEpoch: Math.max(...permanent.map((b) => b.endEpoch)),
      isCertified: permanent.some((b) => b.certifiedEpoch !== null),
      statusEvent: events.of(lead.objectId) ?? { txDigest: '', eventSeq: '' },
      deletableCounts,
      initialCertifiedEpoch,
    },
  };
}

/** Objects whose status event the node has not followed yet. */
export function unseenObjects(live: BlobObject[], events: BlobStatusEvents): boolean {
  return live.some((b) => !b.deletable && !events.of(b.objectId));
}
