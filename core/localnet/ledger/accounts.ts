/**
 * Accounts: SUI (MIST) and WAL (FROST) balances, the nonce that orders an account's
 * transactions, the localnet faucet, and WAL transfers. Every credit and debit inside a
 * transaction is noted, so the transaction's record shows its balance changes as Sui's does.
 */
import { refuse } from './errors.js';
import type { CallContext } from './context.js';
import type { Genesis } from './genesis.js';
import type { LedgerDb } from './store.js';
import { suiAddress } from './validate.js';
import type { AccountView, TransactionRecord } from './wire.js';

export type Coin = 'wal' | 'sui';

/** Net balance changes of one transaction, per address and coin. */
export class BalanceChanges {
  private readonly net = new Map<string, bigint>();

  note(address: string, coin: Coin, amount: bigint): void {
    const key = `${address} ${coin}`;
    this.net.set(key, (this.net.get(key) ?? 0n) + amount);
  }

  toRecord(): TransactionRecord['balanceChanges'] {
    return [...this.net]
      .filter(([, amount]) => amount !== 0n)
      .map(([key, amount]) => {
        const [address, coin] = key.split(' ') as [string, Coin];
        return { address, coin, amount: amount.toString() };
      });
  }
}

export function accountOf(db: LedgerDb, address: string): AccountView {
  const row = db.prepare('SELECT * FROM accounts WHERE address = ?').get(address) as
    AccountView | undefined;
  return row ?? { address, sui: '0', wal: '0', nonce: 0 };
}

export function ensureAccount(db: LedgerDb, address: string): void {
  db.prepare('INSERT OR IGNORE INTO accounts (address) VALUES (?)').run(address);
}

export function credit(
  db: LedgerDb,
  changes: BalanceChanges | null,
  address: string,
  coin: Coin,
  amount: bigint,
): void {
  ensureAccount(db, address);
  const have = BigInt(accountOf(db, address)[coin]);
  db.prepare(`UPDATE accounts SET ${coin} = ? WHERE address = ?`).run(
    (have + amount).toString(),
    address,
  );
  changes?.note(address, coin, amount);
}

export function debit(
  db: LedgerDb,
  changes: BalanceChanges | null,
  address: string,
  coin: Coin,
  amount: bigint,
): void {
  const have = BigInt(accountOf(db, address)[coin]);
  if (have < amount) throw refuse.insufficientBalance(coin.toUpperCase(), amount, have);
  db.prepare(`UPDATE accounts SET ${coin} = ? WHERE address = ?`).run(
    (have - amount).toString(),
    address,
  );
  changes?.note(address, coin, -amount);
}

/** Localnet only: hands an address WAL and SUI. Not a transaction; nothing to sign. */
export function faucet(db: LedgerDb, genesis: Genesis, address: string): void {
  suiAddress(address, 'address');
  db.transaction(() => {
    credit(db, null, address, 'wal', BigInt(genesis.faucetWal));
    credit(db, null, address, 'sui', BigInt(genesis.faucetSui));
  })();
}

export function transferWal(ctx: CallContext, to: string, amount: bigint): void {
  debit(ctx.db, ctx.changes, ctx.sender, 'wal', amount);
  credit(ctx.db, ctx.changes, to, 'wal', amount);
}
