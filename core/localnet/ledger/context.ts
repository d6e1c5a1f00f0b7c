/**
 * What the ledger's modules work with. Each is a set of functions over the SQLite store and
 * an event sink (as `challenges.ts` is); a call inside a transaction also gets its sender,
 * digest, epoch and the balance changes it makes, which the transaction record keeps.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import type { BalanceChanges } from './accounts.js';
import type { Genesis } from './genesis.js';
import type { LedgerDb } from './store.js';

/** Records an event inside the current SQLite transaction and tells the subscribers. */
export type Emit = (type: string, data: Record<string, unknown>) => void;

export interface CallContext {
  db: LedgerDb;
  emit: Emit;
  sender: string;
  /** The transaction's digest: the ids of objects it creates derive from it. */
  digest: string;
  epoch: number;
  genesis: Genesis;
  changes: BalanceChanges;
}

/** A fresh object id, as Sui derives one from the transaction digest and a counter. */
export function objectIdFrom(seed: string, index: number): string {
  return (
    '0x' +
    Buffer.from(blake2b(new TextEncoder().encode(`${seed}:${index}`), { dkLen: 32 })).toString(
      'hex',
    )
  );
}
