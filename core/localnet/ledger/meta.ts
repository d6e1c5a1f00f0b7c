/** The ledger's own settings and clock: the genesis it began from and the current epoch. */
import type { Genesis } from './genesis.js';
import type { LedgerDb } from './store.js';

export function getMeta(db: LedgerDb, key: string): string | undefined {
  return (
    db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
  )?.value;
}

export function setMeta(db: LedgerDb, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

export function currentEpoch(db: LedgerDb): number {
  return Number(getMeta(db, 'epoch') ?? 0);
}

export function genesisOf(db: LedgerDb): Genesis {
  return JSON.parse(getMeta(db, 'genesis')!) as Genesis;
}

/**
 * Where the epoch change stands (`staking_inner.move`'s EpochState): `done` once the nodes
 * holding a quorum of shards have their shards, `params-selected` from voting end (the next
 * committee is chosen), `sync` from the epoch change until the shards have moved.
 */
export type EpochPhase = 'done' | 'params-selected' | 'sync';

export function epochPhase(db: LedgerDb): EpochPhase {
  return (getMeta(db, 'epoch_phase') as EpochPhase | undefined) ?? 'done';
}

/** When the last epoch change was done: the next one is timed from it. */
export function lastEpochChange(db: LedgerDb): number {
  return Number(getMeta(db, 'last_epoch_change') ?? getMeta(db, 'epoch_started_at') ?? 0);
}
