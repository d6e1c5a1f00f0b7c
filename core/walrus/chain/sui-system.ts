/**
 * The Walrus system as its Sui objects hold it. `System` and `Staking` are shared objects
 * whose state sits in a dynamic field keyed by their version (`SystemStateInnerV1`,
 * `StakingInnerV1`); the committee is split between them — the BLS committee that
 * certificates are checked against (its member order is the signer index) in the system
 * state, the shard assignment in the staking state — and each node's name and address
 * live in its `StakingPool` object, whose id is the node id.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { deriveDynamicFieldID, normalizeSuiAddress, parseStructTag } from '@mysten/sui/utils';
import { ChainError, type CommitteeMember, type SystemState } from './chain.js';
import type { SuiNetwork } from './networks.js';
import {
  StakingInnerField,
  StakingPool,
  Staking,
  System,
  SystemInnerField,
  versionKey,
} from './sui-bcs.js';
import type { SuiObject, SuiReader } from './sui-rpc.js';

export type SystemInner = (typeof SystemInnerField)['$inferType']['value'];
export type StakingInner = (typeof StakingInnerField)['$inferType']['value'];

export interface WalrusSystem {
  /** The package to call: upgrades change it, and the System object names the current one. */
  packageId: string;
  /** The shared System object, as transactions name it. */
  systemRef: { objectId: string; initialSharedVersion: string };
  inner: SystemInner;
  staking: StakingInner;
}

/** Reads System and Staking and their inner states: two round trips. */
export async function readWalrusSystem(
  reader: SuiReader,
  network: SuiNetwork,
): Promise<WalrusSystem> {
  const [systemObject, stakingObject] = await reader.getObjects([
    network.systemObjectId,
    network.stakingObjectId,
  ]);
  if (!systemObject || !stakingObject)
    throw new ChainError(
      'WrongNetwork',
      `the Walrus ${network.name} system or staking object does not exist on ${reader.url}; is this the Sui ${network.name} full node?`,
    );
  const typesPackage = parseStructTag(systemObject.type).address;
  if (typesPackage !== normalizeSuiAddress(network.walrusTypesPackageId))
    throw new ChainError(
      'WrongNetwork',
      `the Walrus ${network.name} system object belongs to package ${typesPackage}, not ${network.walrusTypesPackageId}: ` +
        `Walrus ${network.name} was redeployed and Floe's ids for it (core/walrus/chain/networks.ts) are out of date`,
    );
  if (systemObject.owner.$kind !== 'Shared')
    throw new ChainError('WrongNetwork', `the Walrus system object is not shared`);
  const system = System.parse(systemObject.content);
  const staking = Staking.parse(stakingObject.content);
  const [systemInner, stakingInner] = await reader.getObjects([
    innerFieldId(network.systemObjectId, system.version),
    innerFieldId(network.stakingObjectId, staking.version),
  ]);
  return {
    packageId: system.package_id,
    systemRef: {
      objectId: systemObject.objectId,
      initialSharedVersion: systemObject.owner.Shared.initialSharedVersion,
    },
    inner: parseInner(systemInner, 'system_state_inner::SystemStateInnerV1', SystemInnerField),
    staking: parseInner(stakingInner, 'staking_inner::StakingInnerV1', StakingInnerField),
  };
}

export function innerFieldId(parentId: string, version: string): string {
  const key = versionKey(version);
  return deriveDynamicFieldID(parentId, key.type, key.bcs);
}

/** Floe knows the V1 inner states; a migration to new types must not be misread. */
function parseInner<T>(
  field: SuiObject | null | undefined,
  typeSuffix: string,
  layout: { parse(bytes: Uint8Array): { value: T } },
): T {
  if (!field || !field.type.endsWith(`::${typeSuffix}>`))
    throw new ChainError(
      'UnsupportedVersion',
      `this Walrus deployment keeps its state in ${field?.type ?? 'no known field'}, which this version of Floe cannot read; update Floe`,
    );
  return layout.parse(field.content).value;
}

/**
 * The current committee with each member's index in the BLS committee, shards, BLS key
 * (compressed, as storage nodes and `blsVerify` use it) and REST URL. Pool objects are
 * fetched in one batch; callers cache the result for the epoch.
 */
export async function readCommittee(
  reader: SuiReader,
  system: WalrusSystem,
): Promise<CommitteeMember[]> {
  const members = system.inner.committee.members;
  const shards = new Map(system.staking.committee.contents.map((e) => [e.key, e.value]));
  const pools = await reader.getObjects(members.map((m) => m.node_id));
  return members.map((member, index) =>
    toMember(index, member.node_id, pools[index], member.public_key.bytes, shards),
  );
}

/**
 * The previous epoch's committee (staking's `previous_committee`), read while shards move
 * to the new one: its members' keys are in their pools, as the BLS committee has moved on.
 */
export async function readPreviousCommittee(
  reader: SuiReader,
  system: WalrusSystem,
): Promise<CommitteeMember[]> {
  const entries = system.staking.previous_committee.contents;
  const shards = new Map(entries.map((e) => [e.key, e.value]));
  const pools = await reader.getObjects(entries.map((e) => e.key));
  return entries.map((e, index) => {
    const pool = pools[index];
    const key = pool ? StakingPool.parse(pool.content).node_info.public_key.bytes : null;
    return toMember(index, e.key, pool, key, shards);
  });
}

function toMember(
  index: number,
  nodeId: string,
  pool: SuiObject | null | undefined,
  publicKey: Uint8Array | number[] | null,
  shards: Map<string, number[]>,
): CommitteeMember {
  if (!pool || !publicKey)
    throw new ChainError('NotFound', `the staking pool of committee member ${nodeId}`);
  const info = StakingPool.parse(pool.content);
  return {
    index,
    nodeId,
    name: info.node_info.name,
    url: `https://${info.node_info.network_address}`,
    blsPublicKey: Buffer.from(
      bls12_381.G1.Point.fromBytes(Uint8Array.from(publicKey)).toBytes(true),
    ).toString('hex'),
    stake: info.wal_balance,
    shards: [...(shards.get(nodeId) ?? [])].sort((a, b) => a - b),
  };
}

export function toSystemState(
  system: WalrusSystem,
  committee: CommitteeMember[],
  previousCommittee: CommitteeMember[] | null,
  now: number,
): SystemState {
  const { inner, staking } = system;
  return {
    epoch: inner.committee.epoch,
    epochStartedAt: epochStartedAt(staking, now),
    epochState: epochStateOf(staking),
    epochDurationMs: Number(staking.epoch_duration),
    nShards: inner.committee.n_shards,
    maxEpochsAhead: inner.future_accounting.length,
    storagePricePerUnit: inner.storage_price_per_unit_size,
    writePricePerUnit: inner.write_price_per_unit_size,
    totalCapacity: inner.total_capacity_size,
    usedCapacity: inner.used_capacity_size,
    committee,
    previousCommittee,
  };
}

export function epochStateOf(staking: StakingInner): SystemState['epochState'] {
  const kind = staking.epoch_state.$kind;
  return kind === 'EpochChangeSync'
    ? 'sync'
    : kind === 'NextParamsSelected'
      ? 'params-selected'
      : 'done';
}

/**
 * The contract keeps the time the last epoch change completed, and the next may start
 * `epoch_duration` after it; while shards still move to the new committee
 * (`EpochChangeSync`) it keeps no time at all, and the epoch has only just begun.
 */
function epochStartedAt(staking: StakingInner, now: number): number {
  const state = staking.epoch_state;
  if (state.$kind === 'EpochChangeDone') return Number(state.EpochChangeDone);
  if (state.$kind === 'NextParamsSelected') return Number(state.NextParamsSelected);
  return now;
}
