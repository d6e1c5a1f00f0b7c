/**
 * Shard sync (`POST /v1/migrate/sync_shard`, walrus-service `sync_shard` and storage.rs
 * `handle_sync_shard_request`): when an epoch change moves a shard, the node gaining it
 * asks the node that held it for the shard's slivers of every certified blob, a batch at
 * a time from a starting blob id, in blob-id order. The request is a BCS
 * `SignedMessage<SyncShardMsg>` signed with the requester's BLS key, whose public key
 * (base64) is the Authorization header; the answer a BCS `SyncShardResponse`.
 *
 * `requestShardSlivers` is the requesting side, for the epoch-change code that decides
 * when a shard moves.
 */
import { bcs } from '@mysten/sui/bcs';
import {
  blobIdFromString,
  blobIdToString,
  decodeSliver,
  type SliverKind,
} from '../../walrus/encoding/index.js';
import { blsSign, blsVerify } from '../../walrus/protocol/bls.js';
import { shardToPairIndex } from '../../walrus/shards.js';
import {
  FrameworkRejection,
  invalidEpoch,
  notBcs,
  shardNotAssigned,
  syncMessageInvalid,
  syncTooManySlivers,
  syncUnauthorized,
} from './api-errors.js';
import type { ChainView } from './chain-view.js';
import type { NodeApi } from './node-api.js';
import type { SliverStore } from './sliver-store.js';

/** Slivers one request may ask for (Walrus bounds it per node; this is the localnet's). */
export const MAX_SLIVERS_PER_SYNC_REQUEST = 1_000;
const SYNC_SHARD_INTENT = 3;

const AxisBcs = bcs.enum('SliverType', { Primary: null, Secondary: null });
const SyncShardMsgBcs = bcs.struct('ProtocolMessage<SyncShardRequest>', {
  intent_type: bcs.u8(),
  intent_version: bcs.u8(),
  intent_app_id: bcs.u8(),
  epoch: bcs.u32(),
  message_contents: bcs.enum('SyncShardRequest', {
    V1: bcs.struct('SyncShardRequestV1', {
      shard_index: bcs.u16(),
      sliver_type: AxisBcs,
      starting_blob_id: bcs.fixedArray(32, bcs.u8()),
      sliver_count: bcs.u64(),
      epoch: bcs.u32(),
    }),
  }),
});
/** A BLS signature is a fixed 96-byte array in BCS, not a length-prefixed vector. */
const SignedMessageBcs = bcs.struct('SignedMessage', {
  serialized_message: bcs.byteVector(),
  signature: bcs.fixedArray(96, bcs.u8()),
});

export interface SyncShardRequest {
  shard: number;
  kind: SliverKind;
  /** URL-safe base64 blob id: slivers of blobs from this id on, in blob-id byte order. */
  startingBlobId: string;
  count: number;
  epoch: number;
}

export interface SyncShardSource {
  view: ChainView;
  store: SliverStore;
  api: NodeApi;
  /** Certified blob ids the node knows of. */
  certified: Set<string>;
}

export async function syncShard(
  src: SyncShardSource,
  authorization: string | undefined,
  body: Uint8Array,
): Promise<Uint8Array> {
  if (authorization === undefined)
    throw new FrameworkRejection(401, 'Missing Authorization header');
  const key = Buffer.from(authorization, 'base64');
  if (key.length !== 48 || key.toString('base64') !== authorization)
    throw new FrameworkRejection(400, 'Invalid Authorization header');
  let signed: ReturnType<typeof SignedMessageBcs.parse>;
  try {
    signed = SignedMessageBcs.parse(body);
  } catch {
    throw notBcs();
  }
  const state = await src.view.systemState();
  const requester = state.committee.find((m) => Buffer.from(m.blsPublicKey, 'hex').equals(key));
  if (!requester) throw syncUnauthorized();
  const message = Uint8Array.from(signed.serialized_message);
  let request: ReturnType<typeof SyncShardMsgBcs.parse>;
  try {
    request = SyncShardMsgBcs.parse(message);
  } catch (error) {
    throw syncMessageInvalid(`the message does not parse: ${(error as Error).message}`);
  }
  if (request.intent_type !== SYNC_SHARD_INTENT || request.intent_app_id !== 3)
    throw syncMessageInvalid('the message has the wrong intent');
  if (!blsVerify(key, message, Uint8Array.from(signed.signature)))
    throw syncMessageInvalid('the signature does not verify');
  const r = request.message_contents.V1;
  if (r.epoch !== state.epoch) throw invalidEpoch(r.epoch, state.epoch);
  if (!requester.shards.includes(r.shard_index)) throw syncUnauthorized();
  const count = Number(r.sliver_count);
  if (count > MAX_SLIVERS_PER_SYNC_REQUEST)
    throw syncTooManySlivers(count, MAX_SLIVERS_PER_SYNC_REQUEST);

  const kind: SliverKind = r.sliver_type.$kind === 'Primary' ? 'primary' : 'secondary';
  const start = Buffer.from(r.starting_blob_id);
  const blobs = [...src.certified]
    .map((id) => ({ id, bytes: Buffer.from(blobIdFromString(id)) }))
    .filter((b) => Buffer.compare(b.bytes, start) >= 0)
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const out: { id: Buffer; sliver: Uint8Array }[] = [];
  let holdsAny = (await src.view.self())?.shards.includes(r.shard_index) ?? false;
  for (const b of blobs) {
    if (out.length >= count) break;
    if (!(await src.view.isRegistered(b.id))) continue;
    const pair = shardToPairIndex(r.shard_index, b.bytes, state.nShards);
    const sliver = await src.api.readOwnSliver(b.id, pair, kind);
    if (!sliver) continue;
    holdsAny = true;
    out.push({ id: b.bytes, sliver });
  }
  if (!holdsAny) throw shardNotAssigned(r.shard_index, state.epoch);
  return syncShardResponse(kind, out);
}

/** `SyncShardResponse::V1(Vec<(BlobId, Sliver)>)`, from the stored BCS slivers as they are. */
function syncShardResponse(kind: SliverKind, items: { id: Buffer; sliver: Uint8Array }[]) {
  const parts: Uint8Array[] = [Uint8Array.of(0), uleb128(items.length)];
  for (const { id, sliver } of items)
    parts.push(id, Uint8Array.of(kind === 'primary' ? 0 : 1), sliver);
  return new Uint8Array(Buffer.concat(parts));
}

function uleb128(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Uint8Array.from(out);
}

/**
 * Asks the node at `url` for up to `request.count` slivers of a shard the requester now
 * holds. Slivers come back unverified: the caller checks each against the blob's metadata.
 */
export async function requestShardSlivers(
  url: string,
  bls: { secretKey: Uint8Array; publicKey: Uint8Array },
  request: SyncShardRequest,
  signal?: AbortSignal,
): Promise<{ blobId: string; kind: SliverKind; sliver: Uint8Array }[]> {
  const message = SyncShardMsgBcs.serialize({
    intent_type: SYNC_SHARD_INTENT,
    intent_version: 0,
    intent_app_id: 3,
    epoch: request.epoch,
    message_contents: {
      V1: {
        shard_index: request.shard,
        sliver_type: request.kind === 'primary' ? { Primary: true } : { Secondary: true },
        starting_blob_id: Array.from(blobIdFromString(request.startingBlobId)),
        sliver_count: BigInt(request.count),
        epoch: request.epoch,
      },
    },
  }).toBytes();
  const body = SignedMessageBcs.serialize({
    serialized_message: message,
    signature: Array.from(blsSign(bls.secretKey, message)),
  }).toBytes();
  const res = await fetch(`${url}/v1/migrate/sync_shard`, {
    method: 'POST',
    body: body as Uint8Array<ArrayBuffer>,
    headers: {
      'content-type': 'application/octet-stream',
      authorization: Buffer.from(bls.publicKey).toString('base64'),
    },
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw new Error(`shard sync from ${url} refused: ${res.status} ${await res.text()}`);
  return parseSyncShardResponse(new Uint8Array(await res.arrayBuffer()));
}

function parseSyncShardResponse(bytes: Uint8Array) {
  if (bytes[0] !== 0) throw new Error('unknown SyncShardResponse version');
  let offset = 1;
  let count = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[offset++]!;
    count += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  const out: { blobId: string; kind: SliverKind; sliver: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const blobId = blobIdToString(bytes.subarray(offset, offset + 32));
    offset += 32;
    const kind: SliverKind = bytes[offset++] === 0 ? 'primary' : 'secondary';
    // A SliverData's length follows from its own length prefix.
    let length = 0;
    let p = offset;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++]!;
      length += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    const end = p + length + 4;
    const sliver = bytes.subarray(offset, end);
    decodeSliver(sliver);
    out.push({ blobId, kind, sliver });
    offset = end;
  }
  return out;
}
