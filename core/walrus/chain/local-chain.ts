/**
 * `Chain` over the localnet ledger's HTTP API. Transactions are signed here with the
 * account's Ed25519 key, exactly as a Sui wallet signs transaction data.
 */
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import {
  encodeTransaction,
  type Call,
  type SignedTransaction,
  type TransactionRecord,
  type TxResult,
} from '../../localnet/ledger/wire.js';
import {
  ChainError,
  chainRefusal,
  ChainUnavailableError,
  type Balances,
  type BlobObject,
  type Certificate,
  type CertificationRecord,
  type Chain,
  type ChallengeRecord,
  type CommitteeMember,
  type ChainEvent,
  type ReadChain,
  type RegisterBlobParams,
  type StorageResource,
  type SystemState,
  type TransactionOutcome,
} from './chain.js';
import { EncodingConfig } from '../encoding/config.js';
import { planStorageReuse } from './storage-reuse.js';
import { storagePrice, writePrice } from './sui-pricing.js';

export class LocalReadChain implements ReadChain {
  constructor(readonly url: string) {}

  systemState(): Promise<SystemState> {
    return this.get('/v1/state');
  }

  async getBlob(objectId: string): Promise<BlobObject | null> {
    try {
      return await this.get<BlobObject>(`/v1/objects/${objectId}`);
    } catch (error) {
      if (error instanceof ChainError && error.code === 'NotFound') return null;
      throw error;
    }
  }

  blobsById(blobId: string): Promise<BlobObject[]> {
    return this.get(`/v1/blobs/${blobId}`);
  }

  listOwnedBlobs(owner: string, cursor: string | null = null, limit = 100) {
    const q = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
    return this.get<{ blobs: BlobObject[]; nextCursor: string | null }>(
      `/v1/accounts/${owner}/blobs?${q}`,
    );
  }

  events(cursor: number, limit = 200) {
    return this.get<{ events: ChainEvent[]; nextCursor: number }>(
      `/v1/events?cursor=${cursor}&limit=${limit}`,
    );
  }

  async balances(address: string): Promise<Balances> {
    const a = await this.get<{ address: string; sui: string; wal: string }>(
      `/v1/accounts/${address}`,
    );
    return { address: a.address, sui: a.sui, wal: a.wal };
  }

  storageResources(owner: string): Promise<StorageResource[]> {
    return this.get(`/v1/accounts/${owner}/storage`);
  }

  async storageCost(size: number, epochs: number): Promise<bigint> {
    const { cost } = await this.get<{ cost: string }>(`/v1/cost?size=${size}&epochs=${epochs}`);
    return BigInt(cost);
  }

  /**
   * The blob's certify transaction, found among the transactions naming its object (as a
   * Sui query by input object finds it), with the committee of the epoch it ran in.
   */
  async certification(blob: BlobObject): Promise<CertificationRecord | null> {
    if (blob.certifiedEpoch === null) return null;
    const { transactions } = await this.get<{ transactions: TransactionRecord[] }>(
      `/v1/objects/${blob.objectId}/transactions`,
    );
    const tx = transactions.find((t) => t.call?.kind === 'certify_blob');
    if (!tx || tx.call?.kind !== 'certify_blob' || tx.epoch === null) return null;
    const committee = await this.get<CommitteeMember[]>(`/v1/committees/${tx.epoch}`).catch(
      (error: unknown) => {
        if (error instanceof ChainError && error.code === 'NotFound') return null;
        throw error;
      },
    );
    return {
      txDigest: tx.digest,
      epoch: tx.epoch,
      signers: [...tx.call.signers].sort((a, b) => a - b),
      signature: new Uint8Array(Buffer.from(tx.call.signature, 'base64')),
      message: new Uint8Array(Buffer.from(tx.call.message, 'base64')),
      committee:
        committee?.map((m) => ({
          nodeId: m.nodeId,
          name: m.name,
          blsPublicKey: m.blsPublicKey,
          weight: m.shards.length,
        })) ?? null,
    };
  }

  challenges(sinceEpoch: number): Promise<ChallengeRecord[]> {
    return this.get(`/v1/challenges?since=${sinceEpoch}`);
  }

  /** Localnet only: a transaction by digest, as an upload relay checks a tip. */
  async transaction(digest: string): Promise<TransactionRecord | null> {
    try {
      return await this.get<TransactionRecord>(`/v1/transactions/${digest}`);
    } catch (error) {
      if (error instanceof ChainError && error.code === 'NotFound') return null;
      throw error;
    }
  }

  /** Localnet only: funds an address from the faucet. */
  async faucet(address: string): Promise<Balances> {
    return this.request('POST', '/v1/faucet', { address });
  }

  protected get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  protected async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ChainUnavailableError(this.url, error);
    }
    const json = (await res.json()) as T & { error?: { code: string; message: string } };
    if (!res.ok)
      throw chainRefusal(
        json.error?.code ?? String(res.status),
        json.error?.message ?? res.statusText,
      );
    return json;
  }
}

export class LocalChain extends LocalReadChain implements Chain {
  readonly address: string;

  constructor(
    url: string,
    private readonly keypair: Ed25519Keypair,
  ) {
    super(url);
    this.address = keypair.getPublicKey().toSuiAddress();
  }

  /**
   * Registers in storage the account owns when some fits (see storage-reuse.ts), otherwise
   * buying it; pays at most the price just quoted — as a Sui transaction hands the contract
   * a coin — and quotes again if the nodes' votes moved the price before the ledger applied
   * it. One registration at a time plans reuse, so two never pick the same resource.
   */
  registerBlob(p: RegisterBlobParams) {
    const run = async () => {
      const state = await this.systemState();
      const encodedSize = new EncodingConfig(state.nShards).encodedBlobLength(p.size);
      const storageId = await this.prepareStorage(state.epoch, p.epochs, encodedSize);
      const register = (inStorage: string | null) =>
        requoted(
          async () =>
            inStorage
              ? writePrice(encodedSize, (await this.systemState()).writePricePerUnit)
              : this.storageCost(p.size, p.epochs),
          (payment) =>
            this.execute(
              {
                kind: 'register_blob',
                blobId: p.blobId,
                rootHash: Buffer.from(p.rootHash).toString('hex'),
                size: p.size,
                encodingType: p.encodingType,
                epochs: p.epochs,
                deletable: p.deletable,
                payment: payment.toString(),
                ...(inStorage ? { storageId: inStorage } : {}),
                ...(p.attributes ? { attributes: p.attributes } : {}),
                ...(p.relayTip
                  ? { tip: { to: p.relayTip.address, amount: String(p.relayTip.amount) } }
                  : {}),
              },
              p.relayTip?.authPayload,
            ),
        );
      let r: TxResult;
      try {
        r = await register(storageId);
      } catch (error) {
        // The storage became unusable meanwhile (an epoch ended): buy instead.
        if (!storageId || !(error instanceof ChainError) || error.code === 'PriceChanged')
          throw error;
        if (error.code !== 'InvalidState' && error.code !== 'NotFound') throw error;
        r = await register(null);
      }
      return { digest: r.digest, cost: r.cost, blob: r.blob! };
    };
    const result = this.registering.then(run, run);
    this.registering = result.catch(() => undefined);
    return result;
  }

  /** Fuses and splits owned storage so one resource holds the blob; null when none can. */
  private async prepareStorage(
    epoch: number,
    epochs: number,
    encodedSize: number,
  ): Promise<string | null> {
    const plan = planStorageReuse(
      await this.storageResources(this.address),
      epoch,
      epoch + epochs,
      encodedSize,
    );
    if (!plan) return null;
    const id = plan.target.storageId;
    for (const other of plan.fuse)
      await this.execute({ kind: 'merge_storage', storageId: id, otherId: other.storageId });
    if (plan.splitTo !== null)
      await this.execute({ kind: 'split_storage_by_size', storageId: id, size: plan.splitTo });
    return id;
  }

  private registering: Promise<unknown> = Promise.resolve();

  async certifyBlob(objectId: string, c: Certificate) {
    const r = await this.execute({
      kind: 'certify_blob',
      objectId,
      signature: Buffer.from(c.signature).toString('base64'),
      signers: c.signers,
      message: Buffer.from(c.message).toString('base64'),
    });
    return { digest: r.digest, cost: r.cost, blob: r.blob! };
  }

  /** Extends paying at most the price just quoted, and quotes again if it moved. */
  async extendBlob(objectId: string, epochs: number) {
    const r = await requoted(
      async () => {
        const [blob, state] = await Promise.all([this.getBlob(objectId), this.systemState()]);
        if (!blob) throw new ChainError('NotFound', `blob object ${objectId} does not exist`);
        return storagePrice(blob.storageSize, epochs, state.storagePricePerUnit);
      },
      (payment) =>
        this.execute({ kind: 'extend_blob', objectId, epochs, payment: payment.toString() }),
    );
    return { digest: r.digest, cost: r.cost, blob: r.blob! };
  }

  deleteBlob(objectId: string): Promise<TransactionOutcome> {
    return this.execute({ kind: 'delete_blob', objectId });
  }

  transferBlob(objectId: string, to: string): Promise<TransactionOutcome> {
    return this.execute({ kind: 'transfer_blob', objectId, to });
  }

  setAttributes(objectId: string, attributes: Record<string, string>): Promise<TransactionOutcome> {
    return this.execute({ kind: 'set_attributes', objectId, attributes });
  }

  removeAttribute(objectId: string, key: string): Promise<TransactionOutcome> {
    return this.execute({ kind: 'remove_attribute', objectId, key });
  }

  /**
   * Signs and submits one call. Transactions from one account are serialised: each takes
   * the next nonce, and two in flight with the same nonce would refuse one of them.
   */
  execute(call: Call, authPayload?: Uint8Array): Promise<TxResult> {
    const run = async (): Promise<TxResult> => {
      const { nonce } = await this.get<{ nonce: number }>(`/v1/accounts/${this.address}`);
      const bytes = encodeTransaction({
        sender: this.address,
        nonce,
        call,
        ...(authPayload ? { authPayload: Buffer.from(authPayload).toString('base64') } : {}),
      });
      const { signature } = await this.keypair.signTransaction(bytes);
      const tx: SignedTransaction = { bytes: Buffer.from(bytes).toString('base64'), signature };
      return this.request<TxResult>('POST', '/v1/transactions', tx);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private queue: Promise<unknown> = Promise.resolve();
}

/** Quotes changed between quote and purchase this many times in a row are given up on. */
const MAX_REQUOTES = 3;

async function requoted<T>(
  quote: () => Promise<bigint>,
  buy: (payment: bigint) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await buy(await quote());
    } catch (error) {
      if (
        !(error instanceof ChainError && error.code === 'PriceChanged') ||
        attempt >= MAX_REQUOTES
      )
        throw error;
    }
  }
}
