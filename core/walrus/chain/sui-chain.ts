/**
 * `Chain` over Sui and the Walrus Move package (testnet or mainnet). Reads decode the
 * Walrus objects' BCS; each write builds one programmable transaction from fresh object
 * references, pays WAL from the account's coins, lets the full node's simulation set the
 * gas, and is signed here with the account key the recovery phrase derives.
 */
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import type { Transaction } from '@mysten/sui/transactions';
import { isValidSuiAddress, normalizeStructTag, normalizeSuiAddress } from '@mysten/sui/utils';
import { blobIdFromString } from '../encoding/blob-id.js';
import { EncodingConfig } from '../encoding/config.js';
import {
  ChainError,
  type Balances,
  type BlobObject,
  type Certificate,
  type CertificationRecord,
  type Chain,
  type ChainEvent,
  type CommitteeMember,
  type ReadChain,
  type RegisterBlobParams,
  type StorageResource,
  type SystemState,
  type TransactionOutcome,
} from './chain.js';
import type { SuiNetwork } from './networks.js';
import { Blob, Storage } from './sui-bcs.js';
import { blobType, metadataFieldId, storageType, toBlobObject } from './sui-blobs.js';
import { selectWal } from './sui-payment.js';
import { storagePrice, writePrice } from './sui-pricing.js';
import { planStorageReuse } from './storage-reuse.js';
import {
  GrpcSui,
  type ExecutedTransaction,
  type SuiHistoryReader,
  type SuiReader,
  type SuiRpc,
} from './sui-rpc.js';
import { readSuiCertification } from './sui-certification.js';
import {
  epochStateOf,
  readCommittee,
  readPreviousCommittee,
  readWalrusSystem,
  toSystemState,
  type WalrusSystem,
} from './sui-system.js';
import {
  certifyBlobTransaction,
  deleteBlobTransaction,
  extendBlobTransaction,
  registerBlobTransaction,
  removeAttributeTransaction,
  setAttributesTransaction,
  transferBlobTransaction,
  type ObjectRef,
  type WalrusTarget,
} from './sui-transactions.js';

const SUI_COIN_TYPE = '0x2::sui::SUI';
/** Price rises between quote and purchase this many times in a row are given up on. */
const MAX_REQUOTES = 3;
/** Sui full nodes cap a page of owned objects at 50 by default. */
const PAGE_SIZE = 50;

export class SuiReadChain implements ReadChain {
  private committee: { epoch: number; members: Promise<CommitteeMember[]> } | null = null;

  /**
   * `owner` is the account this chain looks up blobs for: Sui indexes objects by owner,
   * not by blob id, so `blobsById` can only search one account's blobs.
   */
  constructor(
    protected readonly sui: SuiReader & SuiHistoryReader,
    readonly network: SuiNetwork,
    protected readonly owner: string,
  ) {}

  async systemState(): Promise<SystemState> {
    const system = await this.system();
    const [committee, previous] = await Promise.all([
      this.committeeOf(system),
      epochStateOf(system.staking) === 'sync' ? readPreviousCommittee(this.sui, system) : null,
    ]);
    return toSystemState(system, committee, previous, Date.now());
  }

  async getBlob(objectId: string): Promise<BlobObject | null> {
    const [[object, metadata], system] = await Promise.all([
      this.sui.getObjects([objectId, metadataFieldId(objectId)]),
      this.system(),
    ]);
    if (!object) return null;
    if (!this.isBlob(object.type))
      throw new ChainError('InvalidArgument', `${objectId} is a ${object.type}, not a Walrus blob`);
    return toBlobObject(object, metadata ?? null, system.inner.committee.epoch);
  }

  /** The Blob objects of this chain's account that hold `blobId`. */
  async blobsById(blobId: string): Promise<BlobObject[]> {
    const found: BlobObject[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.listOwnedBlobs(this.owner, cursor, PAGE_SIZE);
      found.push(...page.blobs.filter((b) => b.blobId === blobId));
      cursor = page.nextCursor;
    } while (cursor);
    return found;
  }

  async listOwnedBlobs(owner: string, cursor: string | null = null, limit = PAGE_SIZE) {
    const [page, system] = await Promise.all([
      this.sui.listOwnedObjects(owner, blobType(this.network.walrusTypesPackageId), cursor, limit),
      this.system(),
    ]);
    const metadata = page.items.length
      ? await this.sui.getObjects(page.items.map((o) => metadataFieldId(o.objectId)))
      : [];
    const epoch = system.inner.committee.epoch;
    return {
      blobs: page.items.map((o, i) => toBlobObject(o, metadata[i] ?? null, epoch)),
      nextCursor: page.cursor,
    };
  }

  /**
   * Walrus events are Sui events of the Walrus package, paged by opaque Sui cursors, not
   * by the localnet ledger's sequence numbers; only localnet storage nodes follow events,
   * and on Sui the storage nodes follow the chain themselves.
   */
  events(): Promise<{ events: ChainEvent[]; nextCursor: number }> {
    return Promise.reject(
      new ChainError(
        'Unsupported',
        'Floe does not follow Walrus events on Sui; read them with a Sui indexer',
      ),
    );
  }

  certification(blob: BlobObject): Promise<CertificationRecord | null> {
    if (blob.certifiedEpoch === null) return Promise.resolve(null);
    return readSuiCertification(this.sui, this.network, blob.objectId);
  }

  /**
   * Walrus on Sui records no storage challenges: nodes are not challenged on chain (the
   * localnet's challenges are the seed's own), so there is nothing to read.
   */
  challenges(): Promise<null> {
    return Promise.resolve(null);
  }

  async balances(address: string): Promise<Balances> {
    const [sui, wal] = await Promise.all([
      this.sui.getBalance(address, SUI_COIN_TYPE),
      this.sui.getBalance(address, this.network.walCoinType),
    ]);
    return { address, sui: sui.total.toString(), wal: wal.total.toString() };
  }

  async storageCost(size: number, epochs: number): Promise<bigint> {
    return registration(await this.system(), size, epochs).price;
  }

  async storageResources(owner: string): Promise<StorageResource[]> {
    return (await this.ownedStorage(owner)).map((s) => s.resource);
  }

  /** The account's `Storage` objects, with the references a transaction needs. */
  protected async ownedStorage(
    owner: string,
  ): Promise<{ resource: StorageResource; ref: ObjectRef }[]> {
    const type = storageType(this.network.walrusTypesPackageId);
    const found: { resource: StorageResource; ref: ObjectRef }[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.sui.listOwnedObjects(owner, type, cursor, PAGE_SIZE);
      for (const o of page.items) {
        const s = Storage.parse(o.content);
        found.push({
          resource: {
            storageId: o.objectId,
            startEpoch: s.start_epoch,
            endEpoch: s.end_epoch,
            size: Number(s.storage_size),
          },
          ref: { objectId: o.objectId, version: o.version, digest: o.digest },
        });
      }
      cursor = page.cursor;
    } while (cursor);
    return found;
  }

  protected system(): Promise<WalrusSystem> {
    return readWalrusSystem(this.sui, this.network);
  }

  protected isBlob(type: string): boolean {
    return (
      normalizeStructTag(type) === normalizeStructTag(blobType(this.network.walrusTypesPackageId))
    );
  }

  /** The committee changes only with the epoch; its pools are read once per epoch. */
  private committeeOf(system: WalrusSystem): Promise<CommitteeMember[]> {
    const epoch = system.inner.committee.epoch;
    if (this.committee?.epoch !== epoch) {
      const members = readCommittee(this.sui, system);
      members.catch(() => {
        if (this.committee?.members === members) this.committee = null;
      });
      this.committee = { epoch, members };
    }
    return this.committee.members;
  }
}

export class SuiChain extends SuiReadChain implements Chain {
  readonly address: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    protected override readonly sui: SuiRpc,
    network: SuiNetwork,
    private readonly keypair: Ed25519Keypair,
  ) {
    const address = keypair.getPublicKey().toSuiAddress();
    super(sui, network, address);
    this.address = address;
  }

  registerBlob(p: RegisterBlobParams) {
    return this.serialised(() => this.requoting((system) => this.register(system, p)));
  }

  /** Registers at the prices of `system`, in owned storage when some fits. */
  private async register(system: WalrusSystem, p: RegisterBlobParams) {
    const { encodedSize, price } = registration(system, p.size, p.epochs);
    // Storage the account owns (left by deleted or interrupted stores) before buying more.
    const owned = await this.ownedStorage(this.address);
    const epoch = system.inner.committee.epoch;
    const plan = planStorageReuse(
      owned.map((o) => o.resource),
      epoch,
      epoch + p.epochs,
      encodedSize,
    );
    const refOf = (r: StorageResource) => owned.find((o) => o.resource === r)!.ref;
    const cost = plan ? writePrice(encodedSize, system.inner.write_price_per_unit_size) : price;
    const payment = await selectWal(this.sui, this.address, this.network.walCoinType, cost);
    const executed = await this.submit(
      registerBlobTransaction(target(system), {
        owner: this.address,
        blobId: blobIdFromString(p.blobId),
        rootHash: p.rootHash,
        size: p.size,
        encodingType: p.encodingType,
        encodedSize,
        epochs: p.epochs,
        deletable: p.deletable,
        attributes: p.attributes ?? {},
        payment,
        ...(plan
          ? {
              storage: {
                target: refOf(plan.target),
                fuse: plan.fuse.map(refOf),
                splitTo: plan.splitTo,
              },
            }
          : {}),
        ...(p.relayTip ? { relayTip: p.relayTip } : {}),
      }),
    );
    const created = executed.created.find((o) => this.isBlob(o.type));
    if (!created)
      throw new ChainError('ExecutionFailed', `transaction ${executed.digest} made no Blob`);
    return { ...this.outcome(executed), blob: await this.blobAfter(created.objectId) };
  }

  certifyBlob(objectId: string, certificate: Certificate) {
    return this.serialised(async () => {
      const [system, blob] = await Promise.all([this.system(), this.ownedBlob(objectId)]);
      const executed = await this.submit(
        certifyBlobTransaction(
          target(system),
          blob.ref,
          certificate,
          system.inner.committee.members.length,
        ),
      );
      return { ...this.outcome(executed), blob: await this.blobAfter(objectId) };
    });
  }

  extendBlob(objectId: string, epochs: number) {
    return this.serialised(() =>
      this.requoting(async (system) => {
        const blob = await this.ownedBlob(objectId);
        const price = storagePrice(
          blob.storageSize,
          epochs,
          system.inner.storage_price_per_unit_size,
        );
        const payment = await selectWal(this.sui, this.address, this.network.walCoinType, price);
        const executed = await this.submit(
          extendBlobTransaction(target(system), blob.ref, epochs, payment, this.address),
        );
        return { ...this.outcome(executed), blob: await this.blobAfter(objectId) };
      }),
    );
  }

  /**
   * Buys at the prices read now. The coin handed over covers exactly that price, so if the
   * nodes' votes raised it before the transaction ran Sui refuses the payment as short
   * (`balance::split`); then the prices are read again and, when they moved, bought at the
   * new ones — a lack of WAL is reported only when the price stood still.
   */
  private async requoting<T>(buy: (system: WalrusSystem) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const system = await this.system();
      try {
        return await buy(system);
      } catch (error) {
        if (!(error instanceof ChainError) || error.code !== 'InsufficientBalance') throw error;
        if (attempt >= MAX_REQUOTES) throw error;
        const now = (await this.system()).inner;
        if (
          now.storage_price_per_unit_size === system.inner.storage_price_per_unit_size &&
          now.write_price_per_unit_size === system.inner.write_price_per_unit_size
        )
          throw error;
      }
    }
  }

  deleteBlob(objectId: string): Promise<TransactionOutcome> {
    return this.serialised(async () => {
      const [system, blob] = await Promise.all([this.system(), this.ownedBlob(objectId)]);
      return this.outcome(
        await this.submit(deleteBlobTransaction(target(system), blob.ref, this.address)),
      );
    });
  }

  transferBlob(objectId: string, to: string): Promise<TransactionOutcome> {
    if (!isValidSuiAddress(to))
      return Promise.reject(new ChainError('InvalidArgument', `"${to}" is not a Sui address`));
    return this.serialised(async () => {
      const blob = await this.ownedBlob(objectId);
      return this.outcome(
        await this.submit(transferBlobTransaction(blob.ref, normalizeSuiAddress(to))),
      );
    });
  }

  setAttributes(objectId: string, attributes: Record<string, string>) {
    return this.serialised(async () => {
      const [system, blob] = await Promise.all([this.system(), this.ownedBlob(objectId)]);
      return this.outcome(
        await this.submit(setAttributesTransaction(target(system), blob.ref, attributes)),
      );
    });
  }

  removeAttribute(objectId: string, key: string) {
    return this.serialised(async () => {
      const [system, blob] = await Promise.all([this.system(), this.ownedBlob(objectId)]);
      return this.outcome(
        await this.submit(removeAttributeTransaction(target(system), blob.ref, key)),
      );
    });
  }

  /**
   * One transaction at a time, from reading references to the full node applying it: two
   * in flight would spend the same coin versions, and Sui accepts only one of them.
   */
  private serialised<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async submit(tx: Transaction): Promise<ExecutedTransaction> {
    tx.setSender(this.address);
    const bytes = await this.sui.build(tx);
    const { signature } = await this.keypair.signTransaction(bytes);
    return this.sui.execute(bytes, signature);
  }

  /** The blob's current reference, refused early if this account cannot use it. */
  private async ownedBlob(objectId: string): Promise<{ ref: ObjectRef; storageSize: number }> {
    const [object] = await this.sui.getObjects([objectId]);
    if (!object || !this.isBlob(object.type))
      throw new ChainError('NotFound', `Walrus blob object ${objectId} does not exist`);
    if (object.owner.$kind !== 'AddressOwner' || object.owner.AddressOwner !== this.address)
      throw new ChainError(
        'NotOwner',
        `blob object ${objectId} is not owned by ${this.address}; only its owner can do this`,
      );
    return {
      ref: { objectId: object.objectId, version: object.version, digest: object.digest },
      storageSize: Number(Blob.parse(object.content).storage.storage_size),
    };
  }

  private async blobAfter(objectId: string): Promise<BlobObject> {
    const blob = await this.getBlob(objectId);
    if (!blob) throw new ChainError('NotFound', `blob object ${objectId} vanished`);
    return blob;
  }

  /** The WAL this account paid, from the transaction's own balance changes. */
  private outcome(executed: ExecutedTransaction): TransactionOutcome {
    const wal = normalizeStructTag(this.network.walCoinType);
    const change = executed.balanceChanges
      .filter((b) => normalizeStructTag(b.coinType) === wal && b.address === this.address)
      .reduce((n, b) => n + b.amount, 0n);
    return { digest: executed.digest, cost: (change < 0n ? -change : 0n).toString() };
  }
}

/** What `register_blob` checks the storage against, and what buying it and registering cost. */
function registration(system: WalrusSystem, size: number, epochs: number) {
  const { inner } = system;
  const encodedSize = new EncodingConfig(inner.committee.n_shards).encodedBlobLength(size);
  const price =
    storagePrice(encodedSize, epochs, inner.storage_price_per_unit_size) +
    writePrice(encodedSize, inner.write_price_per_unit_size);
  return { encodedSize, price };
}

function target(system: WalrusSystem): WalrusTarget {
  return { packageId: system.packageId, system: system.systemRef };
}

/** SuiChain for `network`'s public full node (or `rpcUrl`), signing with `keypair`. */
export function connectSuiChain(
  network: SuiNetwork,
  keypair: Ed25519Keypair,
  o: { rpcUrl?: string } = {},
): SuiChain {
  return new SuiChain(new GrpcSui(o.rpcUrl ?? network.rpcUrl, network.name), network, keypair);
}
