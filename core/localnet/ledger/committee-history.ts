/**
 * Each epoch's committee as it was when the epoch began — who held which shards, under
 * which BLS key, in signer order. On Sui the System object's past versions keep this; a
 * certificate names its signers by index into the committee of the epoch it was signed
 * in, so reading one back long after needs that epoch's committee, not today's.
 */
import type { CommitteeMember } from '../../walrus/chain/chain.js';
import { committeeMembers } from './staking.js';
import type { LedgerDb } from './store.js';

/** Records the committee now in place as `epoch`'s (idempotent). */
export function recordCommittee(db: LedgerDb, epoch: number): void {
  db.prepare('INSERT OR REPLACE INTO committees (epoch, members) VALUES (?, ?)').run(
    epoch,
    JSON.stringify(committeeMembers(db)),
  );
}

/** `epoch`'s committee; null for an epoch before the ledger kept them. */
export function committeeOfEpoch(db: LedgerDb, epoch: number): CommitteeMember[] | null {
  const row = db.prepare('SELECT members FROM committees WHERE epoch = ?').get(epoch) as
    { members: string } | undefined;
  return row ? (JSON.parse(row.members) as CommitteeMember[]) : null;
}
