/**
 * A blob's certificate read back from Sui. Walrus's `BlobCertified` event carries no
 * signers; the certify transaction does — `system::certify_blob(&System, &mut Blob,
 * signature, signers_bitmap, message)` — and the committee it was checked against is the
 * `BlsCommittee` inside the System object at the version that transaction read. So:
 * walk the Blob object's versions back (each names the transaction that wrote it) until
 * the certify call, decode its pure inputs, and read the System object and its inner
 * state at the version the transaction's effects say it read. A full node that pruned
 * those versions cannot answer; then the signers are known by index only.
 */
import { bcs } from '@mysten/sui/bcs';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { CertificationRecord, CertifyingMember } from './chain.js';
import type { SuiNetwork } from './networks.js';
import { StakingPool, System, SystemInnerField } from './sui-bcs.js';
import type { SuiHistoryReader, SuiReader, SuiTransactionRecord } from './sui-rpc.js';
import { innerFieldId } from './sui-system.js';
import { parseConfirmationMessage } from '../protocol/confirmation.js';

/** Versions walked back before giving up: a blob is written at register, certify, each extension and attribute change. */
const MAX_VERSIONS = 256;

export async function readSuiCertification(
  sui: SuiReader & SuiHistoryReader,
  network: SuiNetwork,
  blobObjectId: string,
): Promise<CertificationRecord | null> {
  const id = normalizeSuiAddress(blobObjectId);
  let digest = await sui.previousTransaction(id);
  for (let step = 0; digest && step < MAX_VERSIONS; step++) {
    const tx = await sui.getTransaction(digest);
    if (!tx) return null;
    const certify = certifyCall(tx, id);
    if (certify) return decode(sui, network, tx, certify);
    const before = tx.inputVersions[id];
    if (!before) return null; // the transaction that created it: never certified before
    digest = (await sui.getObjectAt(id, before))?.previousTransaction ?? null;
  }
  return null;
}

function certifyCall(tx: SuiTransactionRecord, blobId: string): (number | null)[] | null {
  for (const call of tx.moveCalls) {
    if (call.module !== 'system' || call.function !== 'certify_blob') continue;
    const blob = call.arguments[1];
    const input = blob === null || blob === undefined ? undefined : tx.inputs[blob];
    if (input?.kind === 'object' && normalizeSuiAddress(input.objectId) === blobId)
      return call.arguments;
  }
  return null;
}

async function decode(
  sui: SuiReader & SuiHistoryReader,
  network: SuiNetwork,
  tx: SuiTransactionRecord,
  args: (number | null)[],
): Promise<CertificationRecord | null> {
  const pure = (i: number) => {
    const index = args[i];
    const input = index === null || index === undefined ? undefined : tx.inputs[index];
    return input?.kind === 'pure' ? Uint8Array.from(bcs.vector(bcs.u8()).parse(input.bytes)) : null;
  };
  const [signature, bitmap, message] = [pure(2), pure(3), pure(4)];
  if (!signature || !bitmap || !message) return null;
  const signers: number[] = [];
  bitmap.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) signers.push(i * 8 + bit);
  });
  const committee = await committeeAt(
    sui,
    network,
    tx.inputVersions[normalizeSuiAddress(network.systemObjectId)],
  );
  return {
    txDigest: tx.digest,
    epoch: committee?.epoch ?? messageEpoch(message),
    signers,
    signature,
    message,
    committee: committee?.members ?? null,
  };
}

/**
 * The BLS committee in the System object at `version`. Every call that changes the system
 * state takes `&mut System`, which writes the System object and its inner state with the
 * same (Lamport) version, so the inner state the certify call read is at that version.
 */
async function committeeAt(
  sui: SuiReader & SuiHistoryReader,
  network: SuiNetwork,
  version: string | undefined,
): Promise<{ epoch: number; members: CertifyingMember[] } | null> {
  if (!version) return null;
  const system = await sui.getObjectAt(network.systemObjectId, version);
  if (!system) return null;
  const inner = await sui.getObjectAt(
    innerFieldId(network.systemObjectId, System.parse(system.content).version),
    version,
  );
  if (!inner || !inner.type.endsWith('::system_state_inner::SystemStateInnerV1>')) return null;
  const { committee } = SystemInnerField.parse(inner.content).value;
  // Names from the nodes' pools as they are now: a name is a label, not part of the proof.
  const pools = await sui.getObjects(committee.members.map((m) => m.node_id));
  return {
    epoch: committee.epoch,
    members: committee.members.map((m, i) => {
      const pool = pools[i];
      return {
        nodeId: m.node_id,
        name: pool ? StakingPool.parse(pool.content).node_info.name : '',
        blsPublicKey: Buffer.from(
          bls12_381.G1.Point.fromBytes(Uint8Array.from(m.public_key.bytes)).toBytes(true),
        ).toString('hex'),
        weight: m.weight,
      };
    }),
  };
}

/** The epoch a confirmation message was signed for (0 when it is not one: the proof says so). */
function messageEpoch(message: Uint8Array): number {
  try {
    return parseConfirmationMessage(message).epoch;
  } catch {
    return 0;
  }
}
