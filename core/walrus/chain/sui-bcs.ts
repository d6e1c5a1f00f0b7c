/**
 * BCS layouts of the Walrus Move objects Floe reads from Sui, field for field as the
 * published package declares them (walrus `mainnet-contracts/walrus/sources`, identical
 * to `testnet-contracts` for every struct here). A Move object's BCS is its fields in
 * declaration order; `UID`/`ID` are 32-byte addresses, a positional struct
 * (`Committee(VecMap<…>)`) is its one field, an enum a ULEB128 variant index and payload.
 * Sui cannot change a published struct's layout on upgrade, so these hold until Walrus
 * migrates to new types (it would then bump `System.version` and Floe would refuse it).
 */
import { bcs, TypeTagSerializer, type BcsType } from '@mysten/sui/bcs';

const ID = bcs.Address;

/** sui::vec_map::VecMap: a vector of entries, in insertion order. */
function vecMap<K, KI, V, VI>(key: BcsType<K, KI>, value: BcsType<V, VI>) {
  return bcs.struct('VecMap', {
    contents: bcs.vector(bcs.struct('Entry', { key, value })),
  });
}

/** sui::group_ops::Element<G>: a group element's serialised bytes. */
const Element = bcs.struct('Element', { bytes: bcs.byteVector() });
/** sui::balance::Balance<T>. */
const Balance = bcs.struct('Balance', { value: bcs.u64() });
/** sui::table::Table, sui::object_table::ObjectTable and sui::bag::Bag share this shape. */
const TableHandle = bcs.struct('Table', { id: ID, size: bcs.u64() });
/** walrus::extended_field::ExtendedField<T>: the value lives in a dynamic field of `id`. */
const ExtendedField = bcs.struct('ExtendedField', { id: ID });

// --- system/storage_resource.move, system/blob.move, system/metadata.move ---

export const Storage = bcs.struct('Storage', {
  id: ID,
  start_epoch: bcs.u32(),
  end_epoch: bcs.u32(),
  storage_size: bcs.u64(),
});

export const Blob = bcs.struct('Blob', {
  id: ID,
  registered_epoch: bcs.u32(),
  blob_id: bcs.u256(),
  size: bcs.u64(),
  encoding_type: bcs.u8(),
  certified_epoch: bcs.option(bcs.u32()),
  storage: Storage,
  deletable: bcs.bool(),
});

export const Metadata = bcs.struct('Metadata', { metadata: vecMap(bcs.string(), bcs.string()) });

// --- system.move, staking.move: the versioned shells of the shared objects ---

export const System = bcs.struct('System', {
  id: ID,
  version: bcs.u64(),
  package_id: ID,
  new_package_id: bcs.option(ID),
});

export const Staking = bcs.struct('Staking', {
  id: ID,
  version: bcs.u64(),
  package_id: ID,
  new_package_id: bcs.option(ID),
});

// --- system/system_state_inner.move and what it holds ---

const BlsCommitteeMember = bcs.struct('BlsCommitteeMember', {
  /** An uncompressed G1 point (96 bytes): `g1_to_uncompressed_g1` in storage_node.move. */
  public_key: Element,
  weight: bcs.u16(),
  node_id: ID,
});

export const BlsCommittee = bcs.struct('BlsCommittee', {
  members: bcs.vector(BlsCommitteeMember),
  n_shards: bcs.u16(),
  epoch: bcs.u32(),
  total_aggregated_key: Element,
});

const FutureAccounting = bcs.struct('FutureAccounting', {
  epoch: bcs.u32(),
  used_capacity: bcs.u64(),
  rewards_to_distribute: Balance,
});

const FutureAccountingRingBuffer = bcs.struct('FutureAccountingRingBuffer', {
  current_index: bcs.u32(),
  /** `max_epochs_ahead()` in storage_accounting.move. */
  length: bcs.u32(),
  ring_buffer: bcs.vector(FutureAccounting),
});

const EventBlob = bcs.struct('EventBlob', {
  blob_id: bcs.u256(),
  ending_checkpoint_sequence_number: bcs.u64(),
});

const EventBlobCertificationState = bcs.struct('EventBlobCertificationState', {
  latest_certified_blob: bcs.option(EventBlob),
  aggregate_weight_per_blob: vecMap(EventBlob, bcs.u16()),
});

export const SystemStateInnerV1 = bcs.struct('SystemStateInnerV1', {
  committee: BlsCommittee,
  total_capacity_size: bcs.u64(),
  used_capacity_size: bcs.u64(),
  storage_price_per_unit_size: bcs.u64(),
  write_price_per_unit_size: bcs.u64(),
  future_accounting: FutureAccountingRingBuffer,
  event_blob_certification_state: EventBlobCertificationState,
  deny_list_sizes: ExtendedField,
});

// --- staking/staking_inner.move and what it holds ---

/** staking/committee.move: node id → the shards it holds this epoch. */
export const Committee = vecMap(ID, bcs.vector(bcs.u16()));

const EpochParams = bcs.struct('EpochParams', {
  total_capacity_size: bcs.u64(),
  storage_price_per_unit_size: bcs.u64(),
  write_price_per_unit_size: bcs.u64(),
});

export const EpochState = bcs.enum('EpochState', {
  /** Shards are moving to the new committee; the weight that finished so far. */
  EpochChangeSync: bcs.u16(),
  /** The epoch change completed at this time (ms). */
  EpochChangeDone: bcs.u64(),
  /** The next committee is chosen; the time (ms) the current epoch change completed. */
  NextParamsSelected: bcs.u64(),
});

export const StakingInnerV1 = bcs.struct('StakingInnerV1', {
  n_shards: bcs.u16(),
  epoch_duration: bcs.u64(),
  first_epoch_start: bcs.u64(),
  pools: TableHandle,
  epoch: bcs.u32(),
  active_set: ExtendedField,
  next_committee: bcs.option(Committee),
  committee: Committee,
  previous_committee: Committee,
  next_epoch_params: bcs.option(EpochParams),
  epoch_state: EpochState,
  next_epoch_public_keys: ExtendedField,
});

// --- staking/staking_pool.move, staking/storage_node.move, staking/auth.move ---

const PoolState = bcs.enum('PoolState', {
  Active: null,
  Withdrawing: bcs.u32(),
  Withdrawn: null,
});

const VotingParams = bcs.struct('VotingParams', {
  storage_price: bcs.u64(),
  write_price: bcs.u64(),
  node_capacity: bcs.u64(),
});

export const StorageNodeInfo = bcs.struct('StorageNodeInfo', {
  name: bcs.string(),
  node_id: ID,
  /** `host:port` of the node's storage REST API (served over https). */
  network_address: bcs.string(),
  public_key: Element,
  next_epoch_public_key: bcs.option(Element),
  network_public_key: bcs.byteVector(),
  metadata: ExtendedField,
});

/** staking/pending_values.move: epoch → amount. */
const PendingValues = vecMap(bcs.u32(), bcs.u64());

const Authorized = bcs.enum('Authorized', { Address: bcs.Address, ObjectID: ID });

export const StakingPool = bcs.struct('StakingPool', {
  id: ID,
  state: PoolState,
  voting_params: VotingParams,
  node_info: StorageNodeInfo,
  activation_epoch: bcs.u32(),
  latest_epoch: bcs.u32(),
  wal_balance: bcs.u64(),
  num_shares: bcs.u64(),
  pending_shares_withdraw: PendingValues,
  pre_active_withdrawals: PendingValues,
  pending_commission_rate: PendingValues,
  commission_rate: bcs.u16(),
  exchange_rates: TableHandle,
  pending_stake: PendingValues,
  rewards_pool: Balance,
  commission: Balance,
  commission_receiver: Authorized,
  governance_authorized: Authorized,
  extra_fields: TableHandle,
});

// --- dynamic fields ---

/** sui::dynamic_field::Field<K, V>: the object a dynamic field is stored in. */
export function dynamicField<K, KI, V, VI>(name: BcsType<K, KI>, value: BcsType<V, VI>) {
  return bcs.struct('Field', { id: ID, name, value });
}

/** System and Staking keep their inner state in a dynamic field keyed by their version. */
export function versionKey(version: string) {
  return {
    type: TypeTagSerializer.parseFromStr('u64'),
    bcs: bcs.u64().serialize(version).toBytes(),
  };
}

/** blob.move `METADATA_DF`: a Blob's attributes live under the key b"metadata". */
export const METADATA_KEY = {
  type: TypeTagSerializer.parseFromStr('vector<u8>'),
  bcs: bcs.byteVector().serialize(new TextEncoder().encode('metadata')).toBytes(),
};

export const SystemInnerField = dynamicField(bcs.u64(), SystemStateInnerV1);
export const StakingInnerField = dynamicField(bcs.u64(), StakingInnerV1);
export const MetadataField = dynamicField(bcs.byteVector(), Metadata);
