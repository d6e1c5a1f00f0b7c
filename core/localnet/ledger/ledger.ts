/**
 * The localnet ledger: the part of Sui and the Walrus Move package that Floe relies on —
 * accounts and balances, the committee and its shards, storage bought by the epoch, Blob
 * objects with their lifecycle, a certificate check over the storage nodes' aggregate
 * BLS signature, epochs that expire blobs and pay nodes — kept in one SQLite file.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { EncodingConfig } from '../../walrus/encoding/config.js';
import {
  blobIdFromRootHash,
  blobIdFromString,
  blobIdToString,
} from '../../walrus/encoding/blob-id.js';
import { parseConfirmationMessage } from '../../walrus/protocol/confirmation.js';
import { certificateProblem } from '../../walrus/protocol/certificate.js';
import type { BlobObject, BlobState, ChainEvent, SystemState } from '../../walrus/chain/chain.js';
import { answerChallenge, issueChallenges, settleChallenges } from './challenges.js';
import { assignShards } from './committee.js';
import { LedgerError, refuse } from './errors.js';
import type { Genesis } from './genesis.js';
import { openLedgerDb, type LedgerDb } from './store.js';
import { verifyTransaction } from './transactions.js';
import type {
  AccountView,
  Call,
  SignedTransaction,
  TransactionBody,
  TransactionRecord,
  TxResult,
} from './wire.js';

const MiB = 1024 * 1024;

interface BlobRow {
  object_id: string;
  blob_id: string;
  root_hash: Buffer;
  size: number;
  encoding_type: number;
  registered_epoch: number;
  certified_epoch: number | null;
  start_epoch: number;
  end_epoch: number;
  storage_size: number;
  deletable: number;
  owner: string;
  state: BlobState;
}

export type EventListener = (type: string, data: Record<string, unknown>) => void;

export class Ledger {
  private readonly listeners = new Set<EventListener>();
  /** Net balance changes of the transaction being applied, keyed "address coin". */
  private changes: Map<string, bigint> | null = null;
  private constructor(private readonly db: LedgerDb) {}

  /**
   * Calls `listener` with each event as it is recorded, inside the transaction that
   * records it — before the caller's reply is sent — so an observer can act at an exact
   * point of a transaction (Sui's event subscriptions, in-process). Returns the unsubscriber.
   */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens the ledger in `path`, creating it from `genesis` when the file is new. */
  static open(path: string, genesis?: Genesis, now = Date.now()): Ledger {
    const ledger = new Ledger(openLedgerDb(path));
    if (ledger.meta('epoch') === undefined) {
      if (!genesis) {
        ledger.close();
        throw new Error(`no ledger at ${path}: a genesis is needed to create one`);
      }
      ledger.createGenesis(genesis, now);
    }
    return ledger;
  }

  close(): void {
    this.db.close();
  }

  // ---- queries -------------------------------------------------------------

  get epoch(): number {
    return Number(this.meta('epoch'));
  }

  get genesis(): Genesis {
    return JSON.parse(this.meta('genesis')!) as Genesis;
  }

  systemState(): SystemState {
    const g = this.genesis;
    const shardRows = this.db
      .prepare('SELECT shard, node_idx FROM shards ORDER BY shard')
      .all() as {
      shard: number;
      node_idx: number;
    }[];
    const nodes = this.db.prepare('SELECT * FROM nodes ORDER BY idx').all() as {
      idx: number;
      node_id: string;
      name: string;
      url: string;
      bls_public_key: Buffer;
      stake: string;
    }[];
    return {
      epoch: this.epoch,
      epochStartedAt: Number(this.meta('epoch_started_at')),
      epochDurationMs: g.epochDurationMs,
      nShards: g.nShards,
      maxEpochsAhead: g.maxEpochsAhead,
      storagePricePerUnit: g.storagePricePerUnit,
      writePricePerUnit: g.writePricePerUnit,
      committee: nodes.map((n) => ({
        index: n.idx,
        nodeId: n.node_id,
        name: n.name,
        url: n.url,
        blsPublicKey: n.bls_public_key.toString('hex'),
        stake: n.stake,
        shards: shardRows.filter((s) => s.node_idx === n.idx).map((s) => s.shard),
      })),
    };
  }

  account(address: string): AccountView {
    const row = this.db.prepare('SELECT * FROM accounts WHERE address = ?').get(address) as
      AccountView | undefined;
    return row ?? { address, sui: '0', wal: '0', nonce: 0 };
  }

  blob(objectId: string): BlobObject | null {
    const row = this.db.prepare('SELECT * FROM blobs WHERE object_id = ?').get(objectId) as
      BlobRow | undefined;
    return row ? this.toBlob(row) : null;
  }

  blobsById(blobId: string): BlobObject[] {
    const rows = this.db
      .prepare('SELECT * FROM blobs WHERE blob_id = ? ORDER BY object_id')
      .all(blobId) as BlobRow[];
    return rows.map((r) => this.toBlob(r));
  }

  /** Blobs an address owns, in object id order, `limit` at a time after `cursor`. */
  ownedBlobs(
    owner: string,
    cursor: string | null,
    limit: number,
  ): { blobs: BlobObject[]; nextCursor: string | null } {
    const rows = this.db
      .prepare('SELECT * FROM blobs WHERE owner = ? AND object_id > ? ORDER BY object_id LIMIT ?')
      .all(owner, cursor ?? '', limit + 1) as BlobRow[];
    const page = rows.slice(0, limit);
    return {
      blobs: page.map((r) => this.toBlob(r)),
      nextCursor: rows.length > limit ? page.at(-1)!.object_id : null,
    };
  }

  events(cursor: number, limit: number): { events: ChainEvent[]; nextCursor: number } {
    const rows = this.db
      .prepare('SELECT seq, epoch, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(cursor, limit) as { seq: number; epoch: number; type: string; data: string }[];
    return {
      events: rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> })),
      nextCursor: rows.at(-1)?.seq ?? cursor,
    };
  }

  storageResources(
    owner: string,
  ): { storageId: string; startEpoch: number; endEpoch: number; size: number }[] {
    return (
      this.db.prepare('SELECT * FROM storage WHERE owner = ? ORDER BY storage_id').all(owner) as {
        storage_id: string;
        start_epoch: number;
        end_epoch: number;
        size: number;
      }[]
    ).map((r) => ({
      storageId: r.storage_id,
      startEpoch: r.start_epoch,
      endEpoch: r.end_epoch,
      size: r.size,
    }));
  }

  nodeRewards(nodeId: string): { rewards: string; slashed: string; stake: string } {
    const row = this.db
      .prepare('SELECT rewards, slashed, stake FROM nodes WHERE node_id = ?')
      .get(nodeId) as { rewards: string; slashed: string; stake: string } | undefined;
    if (!row) throw refuse.notFound(`node ${nodeId}`);
    return row;
  }

  /** Price of storing `size` unencoded bytes for `epochs` epochs, write fee included. */
  storageCost(size: number, epochs: number): bigint {
    const units = this.units(size);
    const g = this.genesis;
    return (
      units * BigInt(g.storagePricePerUnit) * BigInt(epochs) + units * BigInt(g.writePricePerUnit)
    );
  }

  // ---- faucet --------------------------------------------------------------

  /** Localnet only: hands an address WAL and SUI. Not a transaction; nothing to sign. */
  faucet(address: string): AccountView {
    if (!/^0x[0-9a-f]{64}$/.test(address))
      throw refuse.invalid(`"${address}" is not a Sui address`);
    const g = this.genesis;
    this.db.transaction(() => {
      this.credit(address, 'wal', BigInt(g.faucetWal));
      this.credit(address, 'sui', BigInt(g.faucetSui));
    })();
    return this.account(address);
  }

  // ---- transactions ----------------------------------------------------------

  async submit(tx: SignedTransaction): Promise<TxResult> {
    const body = await verifyTransaction(tx);
    const digest = Buffer.from(blake2b(Buffer.from(tx.bytes, 'base64'), { dkLen: 32 })).toString(
      'hex',
    );
    const authPayload =
      body.authPayload === undefined ? null : base64Bytes(body.authPayload, 'authPayload');
    return this.db.transaction(() => {
      const account = this.account(body.sender);
      if (body.nonce !== account.nonce) throw refuse.replay(account.nonce, body.nonce);
      this.ensureAccount(body.sender);
      this.db.prepare('UPDATE accounts SET nonce = nonce + 1 WHERE address = ?').run(body.sender);
      this.changes = new Map();
      try {
        const result = { digest, ...this.apply(body, digest) };
        this.db
          .prepare(
            'INSERT INTO transactions (digest, sender, timestamp_ms, auth_payload, balance_changes) VALUES (?, ?, ?, ?, ?)',
          )
          .run(
            digest,
            body.sender,
            Date.now(),
            authPayload,
            JSON.stringify(
              [...this.changes]
                .filter(([, amount]) => amount !== 0n)
                .map(([key, amount]) => {
                  const [address, coin] = key.split(' ');
                  return { address, coin, amount: amount.toString() };
                }),
            ),
          );
        return result;
      } finally {
        this.changes = null;
      }
    })();
  }

  transaction(digest: string): TransactionRecord | null {
    const row = this.db.prepare('SELECT * FROM transactions WHERE digest = ?').get(digest) as
      | {
          digest: string;
          sender: string;
          timestamp_ms: number;
          auth_payload: Buffer | null;
          balance_changes: string;
        }
      | undefined;
    if (!row) return null;
    return {
      digest: row.digest,
      sender: row.sender,
      timestampMs: row.timestamp_ms,
      authPayload: row.auth_payload ? row.auth_payload.toString('base64') : null,
      balanceChanges: JSON.parse(row.balance_changes) as TransactionRecord['balanceChanges'],
    };
  }

  private apply(body: TransactionBody, digest: string): Omit<TxResult, 'digest'> {
    const call: Call = body.call;
    const sender = body.sender;
    switch (call.kind) {
      case 'transfer_wal': {
        const amount = positive(call.amount);
        this.debit(sender, 'wal', amount);
        this.credit(call.to, 'wal', amount);
        return { cost: '0' };
      }
      case 'register_blob':
        return this.registerBlob(sender, call, digest);
      case 'certify_blob':
        return this.certifyBlob(sender, call);
      case 'extend_blob':
        return this.extendBlob(sender, call.objectId, call.epochs);
      case 'delete_blob':
        return this.deleteBlob(sender, call.objectId);
      case 'transfer_blob': {
        this.ownedBlob(sender, call.objectId);
        if (!/^0x[0-9a-f]{64}$/.test(call.to))
          throw refuse.invalid(`"${call.to}" is not a Sui address`);
        this.db
          .prepare('UPDATE blobs SET owner = ? WHERE object_id = ?')
          .run(call.to, call.objectId);
        this.emit('BlobTransferred', { objectId: call.objectId, from: sender, to: call.to });
        return { cost: '0' };
      }
      case 'set_attributes': {
        this.ownedBlob(sender, call.objectId);
        const upsert = this.db.prepare(
          'INSERT INTO attributes (object_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
        );
        for (const [k, v] of Object.entries(call.attributes ?? {}))
          upsert.run(call.objectId, str(k), str(v));
        return { cost: '0' };
      }
      case 'remove_attribute': {
        this.ownedBlob(sender, call.objectId);
        const removed = this.db
          .prepare('DELETE FROM attributes WHERE object_id = ? AND key = ?')
          .run(call.objectId, call.key);
        if (removed.changes === 0)
          throw refuse.notFound(`attribute "${call.key}" of ${call.objectId}`);
        return { cost: '0' };
      }
      case 'split_storage_by_epoch':
      case 'split_storage_by_size':
      case 'merge_storage':
        return this.reshapeStorage(sender, call, digest);
      case 'stake':
        return this.stake(sender, call.nodeId, positive(call.amount), digest);
      case 'withdraw_stake':
        return this.withdrawStake(sender, call.stakeId);
      case 'answer_challenge': {
        const passed = answerChallenge(this.db, sender, this.epoch, call, (t, d) =>
          this.emit(t, d),
        );
        return { cost: '0', passed };
      }
      case 'set_node_url': {
        const node = this.db
          .prepare('SELECT operator FROM nodes WHERE node_id = ?')
          .get(call.nodeId) as { operator: string } | undefined;
        if (!node) throw refuse.notFound(`node ${call.nodeId}`);
        if (node.operator !== sender) throw refuse.notOwner(call.nodeId, node.operator);
        if (!/^https?:\/\/[^\s]+$/.test(call.url))
          throw refuse.invalid(`"${call.url}" is not an http(s) URL`);
        this.db.prepare('UPDATE nodes SET url = ? WHERE node_id = ?').run(call.url, call.nodeId);
        this.emit('NodeUrlChanged', { nodeId: call.nodeId, url: call.url });
        return { cost: '0' };
      }
      default:
        throw refuse.invalid(`unknown call "${(call as { kind: string }).kind}"`);
    }
  }

  private registerBlob(
    sender: string,
    call: Extract<Call, { kind: 'register_blob' }>,
    digest: string,
  ) {
    const g = this.genesis;
    const epoch = this.epoch;
    if (call.encodingType !== 1)
      throw refuse.invalid(`encoding type ${call.encodingType} is not RS2 (1)`);
    if (!Number.isSafeInteger(call.size) || call.size < 0)
      throw refuse.invalid('size must be a non-negative integer');
    const config = new EncodingConfig(g.nShards);
    if (call.size > config.maxBlobSize) {
      throw refuse.invalid(
        `a blob of ${call.size} bytes exceeds this network's maximum of ${config.maxBlobSize}`,
      );
    }
    try {
      blobIdFromString(call.blobId);
    } catch (error) {
      throw refuse.invalid((error as Error).message);
    }
    const rootHash = hexBytes(call.rootHash, 32, 'root hash');
    // As the Move package does: the id must be the one the root hash, encoding and size derive.
    if (
      blobIdToString(blobIdFromRootHash(rootHash, call.encodingType, call.size)) !== call.blobId
    ) {
      throw refuse.invalid('the blob id does not match its root hash, encoding type and size');
    }
    const encodedSize = config.encodedBlobLength(call.size);
    let start = epoch;
    let end: number;
    let cost: bigint;
    if (call.storageId) {
      const storage = this.db
        .prepare('SELECT * FROM storage WHERE storage_id = ?')
        .get(call.storageId) as
        { owner: string; start_epoch: number; end_epoch: number; size: number } | undefined;
      if (!storage) throw refuse.notFound(`storage ${call.storageId}`);
      if (storage.owner !== sender) throw refuse.notOwner(call.storageId, storage.owner);
      if (storage.size < encodedSize)
        throw refuse.invalid(`storage of ${storage.size} bytes cannot hold ${encodedSize}`);
      if (storage.end_epoch <= epoch) throw refuse.state(`storage ${call.storageId} has expired`);
      start = Math.max(storage.start_epoch, epoch);
      end = storage.end_epoch;
      cost = this.units(call.size) * BigInt(g.writePricePerUnit);
      this.db.prepare('DELETE FROM storage WHERE storage_id = ?').run(call.storageId);
    } else {
      if (!Number.isInteger(call.epochs) || call.epochs < 1)
        throw refuse.invalid('epochs must be at least 1');
      if (call.epochs > g.maxEpochsAhead) {
        throw refuse.invalid(
          `storage can be bought at most ${g.maxEpochsAhead} epochs ahead, not ${call.epochs}`,
        );
      }
      end = epoch + call.epochs;
      cost = this.storageCost(call.size, call.epochs);
      this.accrue(epoch, end, this.units(call.size) * BigInt(g.storagePricePerUnit));
      this.addFee(epoch, this.units(call.size) * BigInt(g.writePricePerUnit));
    }
    this.debit(sender, 'wal', cost);
    if (call.tip !== undefined) {
      if (!/^0x[0-9a-f]{64}$/.test(call.tip?.to))
        throw refuse.invalid(`"${call.tip?.to}" is not a Sui address`);
      const tip = positive(call.tip.amount);
      this.debit(sender, 'sui', tip);
      this.credit(call.tip.to, 'sui', tip);
    }
    const objectId = objectIdFrom(digest, 0);
    this.db
      .prepare(
        `INSERT INTO blobs (object_id, blob_id, root_hash, size, encoding_type, registered_epoch, certified_epoch,
           start_epoch, end_epoch, storage_size, deletable, owner, state)
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 'registered')`,
      )
      .run(
        objectId,
        call.blobId,
        Buffer.from(rootHash),
        call.size,
        call.encodingType,
        epoch,
        start,
        end,
        encodedSize,
        call.deletable ? 1 : 0,
        sender,
      );
    const insertAttr = this.db.prepare(
      'INSERT INTO attributes (object_id, key, value) VALUES (?, ?, ?)',
    );
    for (const [k, v] of Object.entries(call.attributes ?? {}))
      insertAttr.run(objectId, str(k), str(v));
    this.emit('BlobRegistered', {
      objectId,
      blobId: call.blobId,
      size: call.size,
      endEpoch: end,
      deletable: call.deletable,
      owner: sender,
    });
    return { cost: cost.toString(), objectId, blob: this.blob(objectId)! };
  }

  private certifyBlob(sender: string, call: Extract<Call, { kind: 'certify_blob' }>) {
    const blob = this.ownedBlob(sender, call.objectId);
    const epoch = this.epoch;
    if (blob.state === 'certified') throw refuse.state(`blob ${blob.blobId} is already certified`);
    if (blob.state !== 'registered') throw refuse.state(`blob ${blob.blobId} is ${blob.state}`);
    if (blob.endEpoch <= epoch) throw refuse.state(`blob ${blob.blobId} has expired`);
    const message = new Uint8Array(Buffer.from(call.message, 'base64'));
    let parsed;
    try {
      parsed = parseConfirmationMessage(message);
    } catch (error) {
      throw refuse.certificate((error as Error).message);
    }
    if (parsed.epoch !== epoch)
      throw refuse.certificate(`it was signed in epoch ${parsed.epoch}, this is epoch ${epoch}`);
    if (blobIdToString(parsed.blobId) !== blob.blobId)
      throw refuse.certificate('it is for another blob');
    const persistenceOk = blob.deletable
      ? parsed.persistence.deletable && parsed.persistence.objectId === blob.objectId
      : !parsed.persistence.deletable;
    if (!persistenceOk) throw refuse.certificate('its persistence type does not match the blob');
    const problem = certificateProblem(
      this.systemState().committee,
      this.genesis.nShards,
      call.signers,
      message,
      new Uint8Array(Buffer.from(call.signature, 'base64')),
    );
    if (problem) throw refuse.certificate(problem);
    this.db
      .prepare("UPDATE blobs SET certified_epoch = ?, state = 'certified' WHERE object_id = ?")
      .run(epoch, blob.objectId);
    this.emit('BlobCertified', {
      objectId: blob.objectId,
      blobId: blob.blobId,
      endEpoch: blob.endEpoch,
      deletable: blob.deletable,
    });
    return { cost: '0', objectId: blob.objectId, blob: this.blob(blob.objectId)! };
  }

  private extendBlob(sender: string, objectId: string, epochs: number) {
    const blob = this.ownedBlob(sender, objectId);
    const epoch = this.epoch;
    const g = this.genesis;
    if (blob.state !== 'certified')
      throw refuse.state(`only certified blobs can be extended; ${blob.blobId} is ${blob.state}`);
    if (blob.endEpoch <= epoch) throw refuse.state(`blob ${blob.blobId} has expired`);
    if (!Number.isInteger(epochs) || epochs < 1) throw refuse.invalid('epochs must be at least 1');
    const newEnd = blob.endEpoch + epochs;
    if (newEnd - epoch > g.maxEpochsAhead) {
      throw refuse.invalid(
        `a blob can be paid for at most ${g.maxEpochsAhead} epochs ahead; it would end ${newEnd - epoch} ahead`,
      );
    }
    const perEpoch = this.units(blob.size) * BigInt(g.storagePricePerUnit);
    const cost = perEpoch * BigInt(epochs);
    this.debit(sender, 'wal', cost);
    this.accrue(blob.endEpoch, newEnd, perEpoch);
    this.db.prepare('UPDATE blobs SET end_epoch = ? WHERE object_id = ?').run(newEnd, objectId);
    this.emit('BlobExtended', { objectId, blobId: blob.blobId, endEpoch: newEnd });
    return { cost: cost.toString(), objectId, blob: this.blob(objectId)! };
  }

  private deleteBlob(sender: string, objectId: string) {
    const blob = this.ownedBlob(sender, objectId);
    if (!blob.deletable)
      throw refuse.state(`blob ${blob.blobId} was stored as permanent and cannot be deleted`);
    if (blob.state === 'deleted' || blob.state === 'expired')
      throw refuse.state(`blob ${blob.blobId} is already ${blob.state}`);
    const epoch = this.epoch;
    this.db.prepare("UPDATE blobs SET state = 'deleted' WHERE object_id = ?").run(objectId);
    // Walrus hands the storage resource back to the owner, who may reuse it for another blob.
    this.db
      .prepare(
        'INSERT INTO storage (storage_id, owner, start_epoch, end_epoch, size) VALUES (?, ?, ?, ?, ?)',
      )
      .run(
        objectIdFrom(objectId, 1),
        sender,
        Math.max(epoch, blob.startEpoch),
        blob.endEpoch,
        blob.storageSize,
      );
    this.emit('BlobDeleted', {
      objectId,
      blobId: blob.blobId,
      wasCertified: blob.certifiedEpoch !== null,
    });
    return { cost: '0', objectId };
  }

  /**
   * Storage resources split and merge as Walrus's `storage_resource.move` allows: split at
   * an epoch (two consecutive periods of the same size) or by size (same period), and
   * merge two that cover the same period (sizes add) or adjoin in time with equal sizes.
   */
  private reshapeStorage(
    sender: string,
    call: Extract<
      Call,
      { kind: 'split_storage_by_epoch' | 'split_storage_by_size' | 'merge_storage' }
    >,
    digest: string,
  ) {
    type Row = {
      storage_id: string;
      owner: string;
      start_epoch: number;
      end_epoch: number;
      size: number;
    };
    const load = (id: string): Row => {
      const row = this.db.prepare('SELECT * FROM storage WHERE storage_id = ?').get(id) as
        Row | undefined;
      if (!row) throw refuse.notFound(`storage ${id}`);
      if (row.owner !== sender) throw refuse.notOwner(id, row.owner);
      return row;
    };
    const insert = this.db.prepare(
      'INSERT INTO storage (storage_id, owner, start_epoch, end_epoch, size) VALUES (?, ?, ?, ?, ?)',
    );
    const update = this.db.prepare(
      'UPDATE storage SET start_epoch = ?, end_epoch = ?, size = ? WHERE storage_id = ?',
    );
    const s = load(call.storageId);
    if (call.kind === 'split_storage_by_epoch') {
      if (!(call.epoch > s.start_epoch && call.epoch < s.end_epoch)) {
        throw refuse.invalid(
          `split epoch ${call.epoch} must lie strictly inside [${s.start_epoch}, ${s.end_epoch})`,
        );
      }
      const newId = objectIdFrom(digest, 0);
      update.run(s.start_epoch, call.epoch, s.size, s.storage_id);
      insert.run(newId, sender, call.epoch, s.end_epoch, s.size);
      return { cost: '0', objectId: newId };
    }
    if (call.kind === 'split_storage_by_size') {
      if (!(Number.isInteger(call.size) && call.size > 0 && call.size < s.size)) {
        throw refuse.invalid(`split size ${call.size} must be between 0 and ${s.size} exclusive`);
      }
      const newId = objectIdFrom(digest, 0);
      update.run(s.start_epoch, s.end_epoch, s.size - call.size, s.storage_id);
      insert.run(newId, sender, s.start_epoch, s.end_epoch, call.size);
      return { cost: '0', objectId: newId };
    }
    if (call.otherId === call.storageId)
      throw refuse.invalid('a storage resource cannot merge with itself');
    const o = load(call.otherId);
    if (s.start_epoch === o.start_epoch && s.end_epoch === o.end_epoch) {
      update.run(s.start_epoch, s.end_epoch, s.size + o.size, s.storage_id);
    } else if (
      s.size === o.size &&
      (s.end_epoch === o.start_epoch || o.end_epoch === s.start_epoch)
    ) {
      update.run(
        Math.min(s.start_epoch, o.start_epoch),
        Math.max(s.end_epoch, o.end_epoch),
        s.size,
        s.storage_id,
      );
    } else {
      throw refuse.invalid(
        'storage merges need the same period, or equal sizes over adjoining periods',
      );
    }
    this.db.prepare('DELETE FROM storage WHERE storage_id = ?').run(o.storage_id);
    return { cost: '0', objectId: s.storage_id };
  }

  private stake(sender: string, nodeId: string, amount: bigint, digest: string) {
    const node = this.db.prepare('SELECT idx FROM nodes WHERE node_id = ?').get(nodeId) as
      { idx: number } | undefined;
    if (!node) throw refuse.notFound(`node ${nodeId}`);
    this.debit(sender, 'wal', amount);
    const stakeId = objectIdFrom(digest, 0);
    const activation = this.epoch + 1;
    this.db
      .prepare(
        'INSERT INTO stakes (stake_id, owner, node_idx, amount, activation_epoch) VALUES (?, ?, ?, ?, ?)',
      )
      .run(stakeId, sender, node.idx, amount.toString(), activation);
    this.emit('StakeAdded', {
      stakeId,
      nodeId,
      amount: amount.toString(),
      activationEpoch: activation,
    });
    return { cost: amount.toString(), stakeId };
  }

  private withdrawStake(sender: string, stakeId: string) {
    const stake = this.db.prepare('SELECT * FROM stakes WHERE stake_id = ?').get(stakeId) as
      | {
          owner: string;
          node_idx: number;
          amount: string;
          activation_epoch: number;
          withdrawn: number;
        }
      | undefined;
    if (!stake) throw refuse.notFound(`stake ${stakeId}`);
    if (stake.owner !== sender) throw refuse.notOwner(stakeId, stake.owner);
    if (stake.withdrawn) throw refuse.state(`stake ${stakeId} was already withdrawn`);
    this.db.prepare('UPDATE stakes SET withdrawn = 1 WHERE stake_id = ?').run(stakeId);
    if (stake.activation_epoch <= this.epoch) {
      const row = this.db.prepare('SELECT stake FROM nodes WHERE idx = ?').get(stake.node_idx) as {
        stake: string;
      };
      const left = BigInt(row.stake) - BigInt(stake.amount);
      this.db
        .prepare('UPDATE nodes SET stake = ? WHERE idx = ?')
        .run((left < 0n ? 0n : left).toString(), stake.node_idx);
    }
    this.credit(sender, 'wal', BigInt(stake.amount));
    this.emit('StakeWithdrawn', { stakeId, amount: stake.amount });
    return { cost: '0', stakeId };
  }

  // ---- epochs ----------------------------------------------------------------

  /**
   * Ends the current epoch: its share of storage fees goes to the nodes pro rata to the
   * shards they held, new stake takes effect and shards follow it, and blobs whose
   * storage ends here expire.
   */
  advanceEpoch(now = Date.now()): number {
    return this.db.transaction(() => {
      const ending = this.epoch;
      const next = ending + 1;
      const emit = (type: string, data: Record<string, unknown>) => this.emit(type, data);
      const penalised = settleChallenges(this.db, ending, this.genesis.challengePenaltyBps, emit);
      this.distributeFees(ending, penalised);
      this.activateStakes(next);
      this.reassignShards();
      const expired = this.db
        .prepare(
          "SELECT object_id, blob_id FROM blobs WHERE state IN ('registered', 'certified') AND end_epoch <= ?",
        )
        .all(next) as { object_id: string; blob_id: string }[];
      this.db
        .prepare(
          "UPDATE blobs SET state = 'expired' WHERE state IN ('registered', 'certified') AND end_epoch <= ?",
        )
        .run(next);
      this.db.prepare('DELETE FROM storage WHERE end_epoch <= ?').run(next);
      this.setMeta('epoch', String(next));
      this.setMeta('epoch_started_at', String(now));
      for (const b of expired)
        this.emit('BlobExpired', { objectId: b.object_id, blobId: b.blob_id });
      this.emit('EpochChange', { epoch: next });
      issueChallenges(this.db, next, this.genesis.nShards, emit);
      return next;
    })();
  }

  /** Pays `epoch`'s fees pro rata to shards; a node that failed a challenge forfeits its share. */
  private distributeFees(epoch: number, penalised: Set<number>): void {
    const row = this.db.prepare('SELECT amount FROM future_fees WHERE epoch = ?').get(epoch) as
      { amount: string } | undefined;
    if (!row) return;
    const total = BigInt(row.amount);
    const counts = this.db
      .prepare('SELECT node_idx, COUNT(*) AS n FROM shards GROUP BY node_idx')
      .all() as {
      node_idx: number;
      n: number;
    }[];
    const nShards = BigInt(this.genesis.nShards);
    const addReward = this.db.prepare('UPDATE nodes SET rewards = ? WHERE idx = ?');
    const getReward = this.db.prepare('SELECT rewards FROM nodes WHERE idx = ?');
    let withheld = 0n;
    for (const c of counts) {
      const share = (total * BigInt(c.n)) / nShards;
      if (penalised.has(c.node_idx)) {
        withheld += share;
        continue;
      }
      const current = BigInt((getReward.get(c.node_idx) as { rewards: string }).rewards);
      addReward.run((current + share).toString(), c.node_idx);
    }
    this.db.prepare('DELETE FROM future_fees WHERE epoch = ?').run(epoch);
    this.emit('RewardsDistributed', {
      epoch,
      total: total.toString(),
      withheld: withheld.toString(),
    });
  }

  private activateStakes(epoch: number): void {
    const pending = this.db
      .prepare('SELECT node_idx, amount FROM stakes WHERE activation_epoch = ? AND withdrawn = 0')
      .all(epoch) as { node_idx: number; amount: string }[];
    for (const p of pending) {
      const row = this.db.prepare('SELECT stake FROM nodes WHERE idx = ?').get(p.node_idx) as {
        stake: string;
      };
      this.db
        .prepare('UPDATE nodes SET stake = ? WHERE idx = ?')
        .run((BigInt(row.stake) + BigInt(p.amount)).toString(), p.node_idx);
    }
  }

  private reassignShards(): void {
    const nodes = this.db.prepare('SELECT idx, node_id, stake FROM nodes ORDER BY idx').all() as {
      idx: number;
      node_id: string;
      stake: string;
    }[];
    const previous = (
      this.db.prepare('SELECT node_idx FROM shards ORDER BY shard').all() as { node_idx: number }[]
    ).map((r) => r.node_idx);
    const next = assignShards(
      this.genesis.nShards,
      nodes.map((n) => BigInt(n.stake)),
      previous,
    );
    const moved: { shard: number; from: string; to: string }[] = [];
    const update = this.db.prepare('UPDATE shards SET node_idx = ? WHERE shard = ?');
    next.forEach((node, shard) => {
      if (node !== previous[shard]) {
        update.run(node, shard);
        moved.push({ shard, from: nodes[previous[shard]!]!.node_id, to: nodes[node]!.node_id });
      }
    });
    if (moved.length > 0) this.emit('ShardsMoved', { moved });
  }

  // ---- internals -------------------------------------------------------------

  private createGenesis(g: Genesis, now: number): void {
    if (g.nodes.length === 0) throw new Error('a genesis needs at least one storage node');
    new EncodingConfig(g.nShards); // refuses impossible shard counts
    this.db.transaction(() => {
      this.setMeta('genesis', JSON.stringify(g));
      this.setMeta('epoch', '1');
      this.setMeta('epoch_started_at', String(now));
      const insertNode = this.db.prepare(
        'INSERT INTO nodes (idx, node_id, name, url, bls_public_key, operator, stake) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      g.nodes.forEach((n, i) =>
        insertNode.run(
          i,
          n.nodeId,
          n.name,
          n.url,
          Buffer.from(hexBytes(n.blsPublicKey, 48, 'BLS public key')),
          n.operator,
          n.stake,
        ),
      );
      const owners = assignShards(
        g.nShards,
        g.nodes.map((n) => BigInt(n.stake)),
      );
      const insertShard = this.db.prepare('INSERT INTO shards (shard, node_idx) VALUES (?, ?)');
      owners.forEach((node, shard) => insertShard.run(shard, node));
      this.emit('EpochChange', { epoch: 1 });
    })();
  }

  private toBlob(row: BlobRow): BlobObject {
    const attrs = this.db
      .prepare('SELECT key, value FROM attributes WHERE object_id = ? ORDER BY key')
      .all(row.object_id) as {
      key: string;
      value: string;
    }[];
    return {
      objectId: row.object_id,
      blobId: row.blob_id,
      rootHash: row.root_hash.toString('hex'),
      size: row.size,
      encodingType: row.encoding_type,
      registeredEpoch: row.registered_epoch,
      certifiedEpoch: row.certified_epoch,
      startEpoch: row.start_epoch,
      endEpoch: row.end_epoch,
      storageSize: row.storage_size,
      deletable: row.deletable === 1,
      owner: row.owner,
      state: row.state,
      attributes: Object.fromEntries(attrs.map((a) => [a.key, a.value])),
    };
  }

  private ownedBlob(sender: string, objectId: string): BlobObject {
    const blob = this.blob(objectId);
    if (!blob) throw refuse.notFound(`blob object ${objectId}`);
    if (blob.owner !== sender) throw refuse.notOwner(objectId, blob.owner);
    return blob;
  }

  /** Storage is sold in units of 1 MiB of encoded size, rounded up. */
  private units(size: number): bigint {
    return BigInt(
      Math.ceil(new EncodingConfig(this.genesis.nShards).encodedBlobLength(size) / MiB),
    );
  }

  /** Payment for epochs [from, to) is booked to each of those epochs, paid out as each ends. */
  private accrue(from: number, to: number, perEpoch: bigint): void {
    for (let e = from; e < to; e++) this.addFee(e, perEpoch);
  }

  private addFee(epoch: number, amount: bigint): void {
    const row = this.db.prepare('SELECT amount FROM future_fees WHERE epoch = ?').get(epoch) as
      { amount: string } | undefined;
    const total = (row ? BigInt(row.amount) : 0n) + amount;
    this.db
      .prepare(
        'INSERT INTO future_fees (epoch, amount) VALUES (?, ?) ON CONFLICT DO UPDATE SET amount = excluded.amount',
      )
      .run(epoch, total.toString());
  }

  private ensureAccount(address: string): void {
    this.db.prepare('INSERT OR IGNORE INTO accounts (address) VALUES (?)').run(address);
  }

  private credit(address: string, coin: 'wal' | 'sui', amount: bigint): void {
    this.ensureAccount(address);
    const have = BigInt(this.account(address)[coin]);
    this.db
      .prepare(`UPDATE accounts SET ${coin} = ? WHERE address = ?`)
      .run((have + amount).toString(), address);
    this.noteChange(address, coin, amount);
  }

  private debit(address: string, coin: 'wal' | 'sui', amount: bigint): void {
    const have = BigInt(this.account(address)[coin]);
    if (have < amount) throw refuse.insufficientBalance(coin.toUpperCase(), amount, have);
    this.db
      .prepare(`UPDATE accounts SET ${coin} = ? WHERE address = ?`)
      .run((have - amount).toString(), address);
    this.noteChange(address, coin, -amount);
  }

  private noteChange(address: string, coin: 'wal' | 'sui', amount: bigint): void {
    if (!this.changes) return;
    const key = `${address} ${coin}`;
    this.changes.set(key, (this.changes.get(key) ?? 0n) + amount);
  }

  private emit(type: string, data: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO events (epoch, type, data) VALUES (?, ?, ?)')
      .run(this.epoch || 0, type, JSON.stringify(data));
    for (const listener of this.listeners) listener(type, data);
  }

  private meta(key: string): string | undefined {
    return (
      this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
        { value: string } | undefined
    )?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }
}

function objectIdFrom(seed: string, index: number): string {
  return (
    '0x' +
    Buffer.from(blake2b(new TextEncoder().encode(`${seed}:${index}`), { dkLen: 32 })).toString(
      'hex',
    )
  );
}

function base64Bytes(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw refuse.invalid(`${what} must be base64`);
  return Buffer.from(text, 'base64');
}

function hexBytes(hex: string, length: number, what: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!new RegExp(`^[0-9a-f]{${length * 2}}$`).test(clean))
    throw refuse.invalid(`${what} must be ${length} bytes of hex`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

function positive(amount: string): bigint {
  if (!/^[0-9]+$/.test(amount ?? '') || BigInt(amount) === 0n)
    throw refuse.invalid(`amount "${amount}" must be a positive integer`);
  return BigInt(amount);
}

function str(v: unknown): string {
  if (typeof v !== 'string' || v.length > 1024)
    throw refuse.invalid('attribute keys and values are strings of at most 1024 characters');
  return v;
}

export { LedgerError };
