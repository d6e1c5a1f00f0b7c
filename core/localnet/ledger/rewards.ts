/**
 * Paying an epoch out, as `initiate_epoch_change_v2` and `system_state_inner::advance_epoch`
 * do: 3 % of the epoch's rewards is burnt first; the rest is split among the epoch's
 * committee by shard weight × bytes stored (the epoch's used capacity; the contract lowers
 * it by a node's deny list, which the localnet has none of), and what integer division
 * leaves is carried into the next epoch's account. The seed's storage challenges add one
 * rule of their own: a node that failed one forfeits its share, which is burnt too.
 */
import { addRewards, closeAccount } from './accounting.js';
import type { Emit } from './context.js';
import { getMeta, setMeta } from './meta.js';
import type { LedgerDb } from './store.js';

/** `extract_burn_balance`: the part of each epoch's rewards destroyed before payout. */
const BURN_PERCENT = 3n;

export function payOutEpoch(db: LedgerDb, epoch: number, penalised: Set<number>, emit: Emit): void {
  const account = closeAccount(db, epoch);
  let rewards = BigInt(account.rewards);
  const burnt = (rewards * BURN_PERCENT) / 100n;
  rewards -= burnt;
  const stored = BigInt(account.used_capacity);
  const weights = db
    .prepare('SELECT node_idx, COUNT(*) AS weight FROM shards GROUP BY node_idx ORDER BY node_idx')
    .all() as { node_idx: number; weight: number }[];
  const weighted = weights.map((w) => BigInt(w.weight) * stored);
  const total = weighted.reduce((a, b) => a + b, 0n);
  // With nothing stored no node earned anything: everything is carried (max(total, 1)).
  const divisor = total > 0n ? total : 1n;
  let paid = 0n;
  let withheld = 0n;
  const getReward = db.prepare('SELECT rewards FROM nodes WHERE idx = ?');
  const setReward = db.prepare('UPDATE nodes SET rewards = ? WHERE idx = ?');
  weights.forEach((w, i) => {
    const share = (weighted[i]! * rewards) / divisor;
    paid += share;
    if (penalised.has(w.node_idx)) {
      withheld += share;
      return;
    }
    const current = BigInt((getReward.get(w.node_idx) as { rewards: string }).rewards);
    setReward.run((current + share).toString(), w.node_idx);
  });
  const carried = rewards - paid;
  addRewards(db, epoch + 1, carried);
  setMeta(db, 'burnt', (BigInt(getMeta(db, 'burnt') ?? '0') + burnt + withheld).toString());
  emit('RewardsDistributed', {
    epoch,
    total: account.rewards,
    burnt: burnt.toString(),
    paid: (paid - withheld).toString(),
    withheld: withheld.toString(),
    carried: carried.toString(),
  });
}
