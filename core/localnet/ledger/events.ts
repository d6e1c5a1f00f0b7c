/** The ledger's event log, read from a cursor as storage nodes follow Sui's events. */
import type { ChainEvent } from '../../walrus/chain/chain.js';
import { currentEpoch } from './meta.js';
import type { LedgerDb } from './store.js';

export function recordEvent(db: LedgerDb, type: string, data: Record<string, unknown>): void {
  db.prepare('INSERT INTO events (epoch, type, data) VALUES (?, ?, ?)').run(
    currentEpoch(db),
    type,
    JSON.stringify(data),
  );
}

export function eventsAfter(
  db: LedgerDb,
  cursor: number,
  limit: number,
): { events: ChainEvent[]; nextCursor: number } {
  const rows = db
    .prepare('SELECT seq, epoch, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(cursor, limit) as { seq: number; epoch: number; type: string; data: string }[];
  return {
    events: rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> })),
    nextCursor: rows.at(-1)?.seq ?? cursor,
  };
}
