/**
 * A Walrus deployment as Sui stores it, in memory: the System and Staking objects, their
 * inner states in the dynamic fields the package keeps them in, one StakingPool object per
 * node, Blob objects with their `metadata` field, and coins. Every object's content is the
 * BCS of the published Move struct, built with the layouts of sui-bcs.ts (whose own tests
 * check them byte for byte). `MemorySui` answers object, owner, coin and balance queries
 * over them — lookups, which a map does faithfully. It submits nothing: a transaction a
 * chain hands it is completed offline, kept with its signature for the test to read, and
 * refused — it never "succeeds".
 */
import { Transaction, TransactionDataBuilder } from '@mysten/sui/transactions';
import { deriveDynamicFieldID, normalizeStructTag, normalizeSuiAddress } from '@mysten/sui/utils';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { SuiNetwork } from '../../../core/walrus/chain/networks.js';
import { SUI_NETWORKS } from '../../../core/walrus/chain/networks.js';
import {
  Blob,
  MetadataField,
  METADATA_KEY,
  StakingInnerField,
  StakingPool,
  Staking,
  Storage,
  System,
  SystemInnerField,
  versionKey,
} from '../../../core/walrus/chain/sui-bcs.js';
import { transactionRecord } from '../../../core/walrus/chain/sui-rpc.js';
import type {
  ExecutedTransaction,
  Page,
  SuiCoin,
  SuiObject,
  SuiObjectVersion,
  SuiRpc,
  SuiTransactionRecord,
} from '../../../core/walrus/chain/sui-rpc.js';
import { generateBlsKeyPair } from '../../../core/walrus/protocol/bls.js';

export const network: SuiNetwork = SUI_NETWORKS.testnet;
/** The package calls go to: the System object's `package_id` (walrus testnet `published-at`). */
export const CURRENT_PACKAGE = '0x849e95d2718938d66c37fb91df76d72f78526c1864c339bac415ce8ecda2d8cc';
const SYSTEM_SHARED_VERSION = '400000000';
export const WAL = network.walCoinType;
export const SUI = '0x2::sui::SUI';

const DIGEST = 'HxqmgCvLPaDgsyDjEUUfJFX9KRGkwVDoe5d6AWpgsMEU';
const id = (n: number) => normalizeSuiAddress(n.toString(16));

interface NodeSpec {
  name: string;
  address: string;
  shards: number[];
  stake: bigint;
}

export interface WorldOptions {
  epoch: number;
  nodes: NodeSpec[];
  storagePrice: bigint;
  writePrice: bigint;
  maxEpochsAhead: number;
  epochDurationMs: number;
  epochState: { EpochChangeDone: bigint } | { EpochChangeSync: number };
  /** Each node's shards in the previous epoch (by node, as `nodes`); none when absent. */
  previousShards?: number[][];
}

export const DEFAULT_WORLD: WorldOptions = {
  epoch: 7,
  nodes: [
    { name: 'alpha', address: 'alpha.example:9185', shards: [0, 4, 8], stake: 300n },
    { name: 'bravo', address: 'bravo.example:9185', shards: [1, 5, 9], stake: 200n },
    { name: 'charlie', address: 'charlie.example:443', shards: [2, 6], stake: 100n },
    { name: 'delta', address: 'delta.example:9185', shards: [3, 7], stake: 100n },
  ],
  storagePrice: 100_000n,
  writePrice: 20_000n,
  maxEpochsAhead: 53,
  epochDurationMs: 86_400_000,
  epochState: { EpochChangeDone: 1_700_000_000_000n },
};

export class MemorySui implements SuiRpc {
  readonly url = 'memory://sui';
  /** Every transaction a chain asked to build, and what it then signed; none were sent. */
  readonly captured: Transaction[] = [];
  readonly signed: { bytes: Uint8Array; signature: string }[] = [];
  readonly objects = new Map<string, SuiObject>();
  readonly coins = new Map<string, SuiCoin[]>();
  readonly addressBalances = new Map<string, bigint>();
  /** Past versions of objects, and the transactions the full node keeps, by digest. */
  readonly history = new Map<string, SuiObjectVersion>();
  readonly transactions = new Map<string, SuiTransactionRecord>();
  /** The transaction that wrote each object's current version. */
  readonly lastWrite = new Map<string, string>();
  /** Coins per page, small so that paging is exercised. */
  coinPageSize = 2;

  put(object: SuiObject): void {
    this.objects.set(normalizeSuiAddress(object.objectId), object);
  }

  async getObjects(ids: string[]): Promise<(SuiObject | null)[]> {
    return ids.map((i) => this.objects.get(normalizeSuiAddress(i)) ?? null);
  }

  async previousTransaction(id: string): Promise<string | null> {
    return this.lastWrite.get(normalizeSuiAddress(id)) ?? null;
  }

  async getObjectAt(id: string, version: string): Promise<SuiObjectVersion | null> {
    const key = normalizeSuiAddress(id);
    const past = this.history.get(`${key}@${version}`);
    if (past) return past;
    const now = this.objects.get(key);
    return now && now.version === version
      ? {
          objectId: key,
          version,
          type: now.type,
          content: now.content,
          previousTransaction: this.lastWrite.get(key) ?? null,
        }
      : null;
  }

  async getTransaction(digest: string): Promise<SuiTransactionRecord | null> {
    return this.transactions.get(digest) ?? null;
  }

  async listOwnedObjects(
    owner: string,
    type: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<SuiObject>> {
    const all = [...this.objects.values()]
      .filter(
        (o) =>
          o.owner.$kind === 'AddressOwner' &&
          o.owner.AddressOwner === owner &&
          normalizeStructTag(o.type) === normalizeStructTag(type),
      )
      .sort((a, b) => (a.objectId < b.objectId ? -1 : 1));
    const start = cursor ? Number(cursor) : 0;
    const end = start + limit;
    return { items: all.slice(start, end), cursor: end < all.length ? String(end) : null };
  }

  async listCoins(owner: string, coinType: string, cursor: string | null): Promise<Page<SuiCoin>> {
    const all = this.coins.get(`${owner}/${normalizeStructTag(coinType)}`) ?? [];
    const start = cursor ? Number(cursor) : 0;
    const end = start + this.coinPageSize;
    return { items: all.slice(start, end), cursor: end < all.length ? String(end) : null };
  }

  async getBalance(owner: string, coinType: string) {
    const key = `${owner}/${normalizeStructTag(coinType)}`;
    const addressBalance = this.addressBalances.get(key) ?? 0n;
    const coins = (this.coins.get(key) ?? []).reduce((n, c) => n + c.balance, 0n);
    return { total: coins + addressBalance, addressBalance };
  }

  giveCoins(owner: string, coinType: string, balances: bigint[]): SuiCoin[] {
    const key = `${owner}/${normalizeStructTag(coinType)}`;
    const coins = balances.map((balance) => ({
      objectId: id(0xc0000 + this.coinCount++),
      version: '11',
      digest: DIGEST,
      balance,
    }));
    this.coins.set(key, [...(this.coins.get(key) ?? []), ...coins]);
    return coins;
  }

  giveAddressBalance(owner: string, coinType: string, amount: bigint): void {
    this.addressBalances.set(`${owner}/${normalizeStructTag(coinType)}`, amount);
  }

  /**
   * Keeps the transaction for the test to read and completes it offline with a made-up gas
   * coin, where a full node would choose gas by simulating it.
   */
  async build(tx: Transaction): Promise<Uint8Array> {
    this.captured.push(tx);
    tx.setGasPrice(1000);
    tx.setGasBudget(10_000_000);
    tx.setGasPayment([{ objectId: id(0x9a5), version: '1', digest: DIGEST }]);
    return tx.build();
  }

  /** Keeps what was signed and refuses it: no result is ever faked. */
  execute(bytes: Uint8Array, signature: string): Promise<ExecutedTransaction> {
    this.signed.push({ bytes, signature });
    return Promise.reject(new TransactionNotSubmittedError());
  }

  private coinCount = 0;
}

export interface World {
  sui: MemorySui;
  options: WorldOptions;
  /** Compressed BLS public keys, hex, by node name. */
  blsKeys: Map<string, string>;
  /** The nodes' BLS secret keys, by node name: tests sign confirmations with them. */
  blsSecretKeys: Map<string, Uint8Array>;
  nodeIds: string[];
}

/** Builds the Walrus objects of `options` into a fresh MemorySui. */
export function walrusWorld(options: WorldOptions = DEFAULT_WORLD): World {
  const sui = new MemorySui();
  const typesPkg = network.walrusTypesPackageId;
  const nodeIds = options.nodes.map((_, i) => id(0xa000 + i));
  const blsKeys = new Map<string, string>();
  const blsSecretKeys = new Map<string, Uint8Array>();
  const uncompressed = options.nodes.map((n) => {
    const { publicKey, secretKey } = generateBlsKeyPair();
    blsKeys.set(n.name, Buffer.from(publicKey).toString('hex'));
    blsSecretKeys.set(n.name, secretKey);
    return bls12_381.G1.Point.fromBytes(publicKey).toBytes(false);
  });
  const nShards = options.nodes.reduce((n, node) => n + node.shards.length, 0);
  const element = (bytes: Uint8Array) => ({ bytes });

  const systemVersion = '3';
  sui.put({
    objectId: network.systemObjectId,
    version: '500',
    digest: DIGEST,
    owner: { $kind: 'Shared', Shared: { initialSharedVersion: SYSTEM_SHARED_VERSION } },
    type: `${typesPkg}::system::System`,
    content: System.serialize({
      id: network.systemObjectId,
      version: systemVersion,
      package_id: CURRENT_PACKAGE,
      new_package_id: null,
    }).toBytes(),
  });
  const systemInnerId = innerFieldId(network.systemObjectId, systemVersion);
  sui.put({
    objectId: systemInnerId,
    version: '500',
    digest: DIGEST,
    owner: { $kind: 'ObjectOwner', ObjectOwner: network.systemObjectId },
    type: `0x2::dynamic_field::Field<u64, ${typesPkg}::system_state_inner::SystemStateInnerV1>`,
    content: SystemInnerField.serialize({
      id: systemInnerId,
      name: systemVersion,
      value: {
        committee: {
          members: options.nodes.map((n, i) => ({
            public_key: element(uncompressed[i]!),
            weight: n.shards.length,
            node_id: nodeIds[i]!,
          })),
          n_shards: nShards,
          epoch: options.epoch,
          total_aggregated_key: element(new Uint8Array(48)),
        },
        total_capacity_size: '1000000000000',
        used_capacity_size: '5000000',
        storage_price_per_unit_size: options.storagePrice,
        write_price_per_unit_size: options.writePrice,
        future_accounting: {
          current_index: 0,
          length: options.maxEpochsAhead,
          ring_buffer: Array.from({ length: options.maxEpochsAhead }, (_, i) => ({
            epoch: options.epoch + i,
            used_capacity: '0',
            rewards_to_distribute: { value: '0' },
          })),
        },
        event_blob_certification_state: {
          latest_certified_blob: null,
          aggregate_weight_per_blob: { contents: [] },
        },
        deny_list_sizes: { id: id(0xd1) },
      },
    }).toBytes(),
  });

  const stakingVersion = '2';
  sui.put({
    objectId: network.stakingObjectId,
    version: '500',
    digest: DIGEST,
    owner: { $kind: 'Shared', Shared: { initialSharedVersion: '7' } },
    type: `${typesPkg}::staking::Staking`,
    content: Staking.serialize({
      id: network.stakingObjectId,
      version: stakingVersion,
      package_id: CURRENT_PACKAGE,
      new_package_id: null,
    }).toBytes(),
  });
  const committee = {
    contents: options.nodes.map((n, i) => ({ key: nodeIds[i]!, value: n.shards })),
  };
  const stakingInnerId = innerFieldId(network.stakingObjectId, stakingVersion);
  sui.put({
    objectId: stakingInnerId,
    version: '500',
    digest: DIGEST,
    owner: { $kind: 'ObjectOwner', ObjectOwner: network.stakingObjectId },
    type: `0x2::dynamic_field::Field<u64, ${typesPkg}::staking_inner::StakingInnerV1>`,
    content: StakingInnerField.serialize({
      id: stakingInnerId,
      name: stakingVersion,
      value: {
        n_shards: nShards,
        epoch_duration: options.epochDurationMs,
        first_epoch_start: 1_600_000_000_000n,
        pools: { id: id(0xd2), size: options.nodes.length },
        epoch: options.epoch,
        active_set: { id: id(0xd3) },
        next_committee: null,
        committee,
        previous_committee: {
          contents: (options.previousShards ?? [])
            .map((shards, i) => ({ key: nodeIds[i]!, value: shards }))
            .filter((e) => e.value.length > 0),
        },
        next_epoch_params: null,
        epoch_state: options.epochState,
        next_epoch_public_keys: { id: id(0xd4) },
      },
    }).toBytes(),
  });

  options.nodes.forEach((n, i) => {
    sui.put({
      objectId: nodeIds[i]!,
      version: '90',
      digest: DIGEST,
      owner: { $kind: 'ObjectOwner', ObjectOwner: id(0xd2) },
      type: `${typesPkg}::staking_pool::StakingPool`,
      content: StakingPool.serialize({
        id: nodeIds[i]!,
        state: { Active: true },
        voting_params: { storage_price: 1, write_price: 1, node_capacity: 1 },
        node_info: {
          name: n.name,
          node_id: nodeIds[i]!,
          network_address: n.address,
          public_key: element(uncompressed[i]!),
          next_epoch_public_key: null,
          network_public_key: new Uint8Array(33),
          metadata: { id: id(0xe000 + i) },
        },
        activation_epoch: 1,
        latest_epoch: options.epoch,
        wal_balance: n.stake,
        num_shares: n.stake,
        pending_shares_withdraw: { contents: [] },
        pre_active_withdrawals: { contents: [] },
        pending_commission_rate: { contents: [] },
        commission_rate: 100,
        exchange_rates: { id: id(0xe100 + i), size: 0 },
        pending_stake: { contents: [] },
        rewards_pool: { value: 0 },
        commission: { value: 0 },
        commission_receiver: { Address: id(0xf0) },
        governance_authorized: { Address: id(0xf0) },
        extra_fields: { id: id(0xe200 + i), size: 0 },
      }).toBytes(),
    });
  });
  return { sui, options, blsKeys, blsSecretKeys, nodeIds };
}

interface BlobSpec {
  owner: string;
  blobId: bigint;
  size: number;
  storageSize: number;
  registeredEpoch: number;
  certifiedEpoch: number | null;
  endEpoch: number;
  deletable: boolean;
  attributes?: Record<string, string>;
}

let blobCount = 0;

/** Adds a Blob object (and its `metadata` field when it has attributes); returns its id. */
export function addBlob(world: World, b: BlobSpec): string {
  const objectId = id(0xb0000 + blobCount++);
  world.sui.put({
    objectId,
    version: '21',
    digest: DIGEST,
    owner: { $kind: 'AddressOwner', AddressOwner: b.owner },
    type: `${network.walrusTypesPackageId}::blob::Blob`,
    content: Blob.serialize({
      id: objectId,
      registered_epoch: b.registeredEpoch,
      blob_id: b.blobId,
      size: b.size,
      encoding_type: 1,
      certified_epoch: b.certifiedEpoch,
      storage: {
        id: id(0xa0000 + blobCount),
        start_epoch: b.registeredEpoch,
        end_epoch: b.endEpoch,
        storage_size: b.storageSize,
      },
      deletable: b.deletable,
    }).toBytes(),
  });
  if (b.attributes) {
    const fieldId = deriveDynamicFieldID(objectId, METADATA_KEY.type, METADATA_KEY.bcs);
    world.sui.put({
      objectId: fieldId,
      version: '21',
      digest: DIGEST,
      owner: { $kind: 'ObjectOwner', ObjectOwner: objectId },
      type: `0x2::dynamic_field::Field<vector<u8>, ${network.walrusTypesPackageId}::metadata::Metadata>`,
      content: MetadataField.serialize({
        id: fieldId,
        name: new TextEncoder().encode('metadata'),
        value: {
          metadata: {
            contents: Object.entries(b.attributes).map(([key, value]) => ({ key, value })),
          },
        },
      }).toBytes(),
    });
  }
  return objectId;
}

function innerFieldId(parentId: string, version: string): string {
  const key = versionKey(version);
  return deriveDynamicFieldID(parentId, key.type, key.bcs);
}

/**
 * Records a transaction a chain signed as the full node would keep it once executed: its
 * data and the versions it read (`changed`: objects it wrote, with their version before;
 * `read`: shared objects it only read). Objects' new contents are the test's to put.
 */
export function recordExecuted(
  sui: MemorySui,
  bytes: Uint8Array,
  o: { changed: Record<string, string>; read: Record<string, string> },
): string {
  const tx = Transaction.from(bytes);
  const digest = TransactionDataBuilder.getDigestFromBytes(bytes);
  sui.transactions.set(
    digest,
    transactionRecord(digest, tx.getData(), {
      changedObjects: Object.entries(o.changed).map(([objectId, inputVersion]) => ({
        objectId,
        inputState: 'Exists' as const,
        inputVersion,
        inputDigest: DIGEST,
        inputOwner: null,
        outputState: 'ObjectWrite' as const,
        outputVersion: null,
        outputDigest: null,
        outputOwner: null,
        idOperation: 'None' as const,
      })),
      unchangedConsensusObjects: Object.entries(o.read).map(([objectId, version]) => ({
        kind: 'ReadOnlyRoot' as const,
        objectId,
        version,
        digest: DIGEST,
      })),
    }),
  );
  for (const id of Object.keys(o.changed)) sui.lastWrite.set(normalizeSuiAddress(id), digest);
  return digest;
}

export class TransactionNotSubmittedError extends Error {
  constructor() {
    super('this test submits nothing: the transaction was captured, not sent');
    this.name = 'TransactionNotSubmittedError';
  }
}

let storageCount = 0;

/** A `Storage` object `owner` holds outside any blob, as a deleted blob gives back. */
export function addStorage(
  world: World,
  s: { owner: string; startEpoch: number; endEpoch: number; size: number },
): string {
  const objectId = id(0x5000 + storageCount++);
  world.sui.put({
    objectId,
    version: '33',
    digest: DIGEST,
    owner: { $kind: 'AddressOwner', AddressOwner: s.owner },
    type: `${network.walrusTypesPackageId}::storage_resource::Storage`,
    content: Storage.serialize({
      id: objectId,
      start_epoch: s.startEpoch,
      end_epoch: s.endEpoch,
      storage_size: s.size,
    }).toBytes(),
  });
  return objectId;
}
