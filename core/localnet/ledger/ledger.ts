/**
 * The localnet ledger: the part of Sui and the Walrus Move package that Floe relies on,
 * kept in one SQLite file. This class opens the store, applies signed transactions (one
 * SQLite transaction each, so a refused one leaves no trace) and answers queries; what each
 * call does lives in the module that owns it — accounts, blobs, storage, fees, staking,
 * epochs, challenges.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import type { BlobObject, ChainEvent, SystemState } from '../../walrus/chain/chain.js';
import { accountOf, BalanceChanges, ensureAccount, faucet } from './accounts.js';
import { blobByObjectId, blobsByBlobId, ownedBlobs } from './blobs.js';
import { applyCall } from './calls.js';
import type { CallContext } from './context.js';
import {
  changeEpoch,
  createGenesis,
  endVoting,
  forceEpochChange,
  nextEpochStep,
} from './epochs.js';
import { refuse } from './errors.js';
import { eventsAfter, recordEvent } from './events.js';
import { totalCapacity, usedCapacity } from './accounting.js';
import { currentPrices, initEconomics, storageCost } from './prices.js';
import type { Genesis } from './genesis.js';
import { currentEpoch, epochPhase, genesisOf, getMeta, lastEpochChange } from './meta.js';
import { committeeMembers, nodeRewards } from './staking.js';
import { committeeOfEpoch, recordCommittee } from './committee-history.js';
import { challengeRecords } from './challenges.js';
import { storageResources } from './storage.js';
import { openLedgerDb, type LedgerDb } from './store.js';
import { verifyTransaction } from './transactions.js';
import type {
  AccountView,
  Call,
  SignedTransaction,
  StorageResource,
  TransactionRecord,
  TxResult,
} from './wire.js';

export type EventListener = (type: string, data: Record<string, unknown>) => void;

export class Ledger {
  private readonly listeners = new Set<EventListener>();
  private readonly emit = (type: string, data: Record<string, unknown>): void => {
    recordEvent(this.db, type, data);
    for (const listener of this.listeners) listener(type, data);
  };

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
    if (getMeta(ledger.db, 'epoch') === undefined) {
      if (!genesis) {
        ledger.close();
        throw new Error(`no ledger at ${path}: a genesis is needed to create one`);
      }
      createGenesis(ledger.db, genesis, now, ledger.emit);
    }
    initEconomics(ledger.db, ledger.genesis, ledger.emit);
    // A ledger from before committees were kept: today's is this epoch's (shards move only
    // at epoch changes); earlier epochs stay unknown.
    if (!committeeOfEpoch(ledger.db, ledger.epoch)) recordCommittee(ledger.db, ledger.epoch);
    return ledger;
  }

  close(): void {
    this.db.close();
  }

  // ---- queries -------------------------------------------------------------

  get epoch(): number {
    return currentEpoch(this.db);
  }

  get genesis(): Genesis {
    return genesisOf(this.db);
  }

  systemState(): SystemState {
    const g = this.genesis;
    const prices = currentPrices(this.db);
    const phase = epochPhase(this.db);
    return {
      epoch: this.epoch,
      // As Sui reads it: from the last change done, or while shards move, from its start.
      epochStartedAt:
        phase === 'sync' ? Number(getMeta(this.db, 'epoch_started_at')) : lastEpochChange(this.db),
      epochState: phase,
      epochDurationMs: g.epochDurationMs,
      nShards: g.nShards,
      maxEpochsAhead: g.maxEpochsAhead,
      storagePricePerUnit: prices.storage.toString(),
      writePricePerUnit: prices.write.toString(),
      totalCapacity: totalCapacity(this.db).toString(),
      usedCapacity: usedCapacity(this.db, this.epoch).toString(),
      committee: committeeMembers(this.db),
      previousCommittee: phase === 'sync' ? committeeMembers(this.db, 'previous_shards') : null,
    };
  }

  account(address: string): AccountView {
    return accountOf(this.db, address);
  }

  blob(objectId: string): BlobObject | null {
    return blobByObjectId(this.db, objectId);
  }

  blobsById(blobId: string): BlobObject[] {
    return blobsByBlobId(this.db, blobId);
  }

  /** Blobs an address owns, in object id order, `limit` at a time after `cursor`. */
  ownedBlobs(owner: string, cursor: string | null, limit: number) {
    return ownedBlobs(this.db, owner, cursor, limit);
  }

  events(cursor: number, limit: number): { events: ChainEvent[]; nextCursor: number } {
    return eventsAfter(this.db, cursor, limit);
  }

  storageResources(owner: string): StorageResource[] {
    return storageResources(this.db, owner);
  }

  nodeRewards(nodeId: string): { rewards: string; slashed: string; stake: string } {
    return nodeRewards(this.db, nodeId);
  }

  /** Price of storing `size` unencoded bytes for `epochs` epochs, write fee included. */
  storageCost(size: number, epochs: number): bigint {
    return storageCost(this.db, this.genesis.nShards, size, epochs);
  }

  transaction(digest: string): TransactionRecord | null {
    const row = this.db.prepare('SELECT * FROM transactions WHERE digest = ?').get(digest) as
      TransactionRow | undefined;
    return row ? toTransactionRecord(row) : null;
  }

  /**
   * The transactions whose call names this object, oldest first — what Sui's transaction
   * queries by input object answer (the certify transaction of a blob among them).
   */
  objectTransactions(objectId: string): TransactionRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM transactions WHERE object_id = ? ORDER BY rowid')
      .all(objectId) as TransactionRow[];
    return rows.map(toTransactionRecord);
  }

  /** `epoch`'s committee as it began (signer order); null before the ledger kept them. */
  committeeOfEpoch(epoch: number) {
    return committeeOfEpoch(this.db, epoch);
  }

  /** Storage challenges of `sinceEpoch` and later, oldest first. */
  challenges(sinceEpoch: number) {
    return challengeRecords(this.db, sinceEpoch);
  }

  // ---- changes ---------------------------------------------------------------

  /** Localnet only: hands an address WAL and SUI. Not a transaction; nothing to sign. */
  faucet(address: string): AccountView {
    faucet(this.db, this.genesis, address);
    return this.account(address);
  }

  async submit(tx: SignedTransaction): Promise<TxResult> {
    const body = await verifyTransaction(tx);
    const digest = Buffer.from(blake2b(Buffer.from(tx.bytes, 'base64'), { dkLen: 32 })).toString(
      'hex',
    );
    const authPayload =
      body.authPayload === undefined ? null : Buffer.from(body.authPayload, 'base64');
    return this.db.transaction(() => {
      const account = this.account(body.sender);
      if (body.nonce !== account.nonce) throw refuse.replay(account.nonce, body.nonce);
      ensureAccount(this.db, body.sender);
      this.db.prepare('UPDATE accounts SET nonce = nonce + 1 WHERE address = ?').run(body.sender);
      const ctx: CallContext = {
        db: this.db,
        emit: this.emit,
        sender: body.sender,
        digest,
        epoch: this.epoch,
        genesis: this.genesis,
        changes: new BalanceChanges(),
      };
      const result = { digest, ...applyCall(ctx, body.call) };
      this.db
        .prepare(
          `INSERT INTO transactions (digest, sender, timestamp_ms, auth_payload, balance_changes, epoch, call, object_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          digest,
          body.sender,
          Date.now(),
          authPayload,
          JSON.stringify(ctx.changes.toRecord()),
          ctx.epoch,
          JSON.stringify(body.call),
          callObject(body.call) ?? result.objectId ?? null,
        );
      return result;
    })();
  }

  /** Voting end: the next epoch's committee and capacity are chosen. */
  endVoting(): void {
    endVoting(this.db, this.emit);
  }

  /** The epoch change: the chosen committee takes over and its shards start to move. */
  changeEpoch(now = Date.now()): number {
    return changeEpoch(this.db, now, this.emit);
  }

  /** The next phase of the epoch change the clock will bring, and when; null while shards move. */
  nextEpochStep() {
    return nextEpochStep(this.db);
  }

  /**
   * Localnet only (tests, tools): ends the current epoch now — voting end and epoch change
   * at once, and a change still syncing declared done first. Returns the new epoch.
   */
  advanceEpoch(now = Date.now()): number {
    return forceEpochChange(this.db, now, this.emit);
  }
}

interface TransactionRow {
  digest: string;
  sender: string;
  timestamp_ms: number;
  auth_payload: Buffer | null;
  balance_changes: string;
  epoch: number | null;
  call: string | null;
}

function toTransactionRecord(row: TransactionRow): TransactionRecord {
  return {
    digest: row.digest,
    sender: row.sender,
    timestampMs: row.timestamp_ms,
    authPayload: row.auth_payload ? row.auth_payload.toString('base64') : null,
    balanceChanges: JSON.parse(row.balance_changes) as TransactionRecord['balanceChanges'],
    epoch: row.epoch,
    call: row.call ? (JSON.parse(row.call) as Call) : null,
  };
}

/** The object a call is about, as Sui would list it among the transaction's inputs. */
function callObject(call: Call): string | null {
  return 'objectId' in call ? call.objectId : null;
}
