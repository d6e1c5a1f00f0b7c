/**
 * Paying WAL: the Walrus functions that charge take one `&mut Coin<WAL>` and split the
 * exact price off it, so a transaction needs a single coin holding at least the price.
 * Floe picks the account's largest WAL coins until they cover it (fewest inputs), merges
 * them into the first, and draws any shortfall from the account's WAL address balance
 * (funds Sui holds for an address outside coin objects) with `0x2::coin::redeem_funds`,
 * as @mysten/sui's own coin intent does.
 */
import type { Transaction, TransactionObjectArgument } from '@mysten/sui/transactions';
import { ChainError } from './chain.js';
import type { SuiCoin, SuiReader } from './sui-rpc.js';

export interface WalPayment {
  coinType: string;
  coins: SuiCoin[];
  /** FROST drawn from the address balance into a fresh coin. */
  fromAddressBalance: bigint;
}

/** Sui caps a command's arguments; @mysten/sui merges in chunks of this many too. */
const MERGE_CHUNK = 500;

export async function selectWal(
  reader: SuiReader,
  owner: string,
  coinType: string,
  amount: bigint,
): Promise<WalPayment> {
  const loaded: SuiCoin[] = [];
  let sum = 0n;
  let cursor: string | null = null;
  do {
    const page: { items: SuiCoin[]; cursor: string | null } = await reader.listCoins(
      owner,
      coinType,
      cursor,
    );
    loaded.push(...page.items);
    sum += page.items.reduce((n, c) => n + c.balance, 0n);
    cursor = page.cursor;
  } while (cursor && sum < amount);

  const coins: SuiCoin[] = [];
  let covered = 0n;
  loaded.sort((a, b) => (a.balance > b.balance ? -1 : a.balance < b.balance ? 1 : 0));
  for (const coin of loaded) {
    if (coins.length > 0 && covered >= amount) break;
    coins.push(coin);
    covered += coin.balance;
  }
  if (coins.length > 0 && covered >= amount) return { coinType, coins, fromAddressBalance: 0n };

  const { addressBalance } = await reader.getBalance(owner, coinType);
  const shortfall = amount - covered;
  // Even a price of 0 is taken from a coin, so there must be something to pay with.
  if (addressBalance < shortfall || (shortfall === 0n && coins.length === 0))
    throw new ChainError(
      'InsufficientBalance',
      `this needs ${amount} FROST of WAL but the account has ${covered + addressBalance}; top it up and retry`,
    );
  return { coinType, coins, fromAddressBalance: shortfall };
}

/**
 * Adds the payment's inputs to `tx` and returns the one coin to pay with. Call
 * `returnChange` after the last command that pays from it.
 */
export function payWith(tx: Transaction, payment: WalPayment): TransactionObjectArgument {
  const sources: TransactionObjectArgument[] = payment.coins.map((c) =>
    tx.objectRef({ objectId: c.objectId, version: c.version, digest: c.digest }),
  );
  if (payment.fromAddressBalance > 0n) {
    const [redeemed] = tx.moveCall({
      target: '0x2::coin::redeem_funds',
      typeArguments: [payment.coinType],
      arguments: [tx.withdrawal({ amount: payment.fromAddressBalance, type: payment.coinType })],
    });
    sources.push(redeemed!);
  }
  const [coin, ...rest] = sources;
  for (let i = 0; i < rest.length; i += MERGE_CHUNK)
    tx.mergeCoins(coin!, rest.slice(i, i + MERGE_CHUNK));
  return coin!;
}

/**
 * An owned coin keeps whatever the payment left in it; a coin redeemed from the address
 * balance is a transaction result, which must be used up, so its change goes to `owner`.
 */
export function returnChange(
  tx: Transaction,
  payment: WalPayment,
  coin: TransactionObjectArgument,
  owner: string,
): void {
  if (payment.coins.length === 0) tx.transferObjects([coin], owner);
}
