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
