/**
 * The Sui full-node calls Floe makes, behind two small interfaces — reading objects and
 * balances, and submitting transactions — so the Walrus logic above them reads as Walrus
 * logic. `GrpcSui` serves both over Sui's gRPC API (JSON-RPC is deprecated; the public
 * full nodes serve gRPC at the same URL) through @mysten/sui's client, which also
 * resolves gas: the reference price, a budget from a simulated run, and the SUI coins or
 * address balance that pay it. A simulated run that aborts is refused before anything is
 * signed, so a refusal found there costs no gas.
 */
import { ObjectError, SimulationError, type SuiClientTypes } from '@mysten/sui/client';
import { RpcError, SuiGrpcClient } from '@mysten/sui/grpc';
import type { Transaction } from '@mysten/sui/transactions';
import { fromBase64 } from '@mysten/sui/utils';
import { ChainError, ChainUnavailableError } from './chain.js';
import { chainErrorFromExecution } from './sui-errors.js';

export interface SuiObject {
  objectId: string;
  version: string;
  digest: string;
  owner: SuiClientTypes.ObjectOwner;
  /** The Move type, e.g. `0x…::blob::Blob`. */
  type: string;
  /** BCS of the Move struct. */
  content: Uint8Array;
}

export interface SuiCoin {
  objectId: string;
  version: string;
  digest: string;
  balance: bigint;
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts; null after the last. */
  cursor: string | null;
}

export interface SuiReader {
  readonly url: string;
  /** One entry per id, null where no live object has it (never created, or deleted). */
  getObjects(ids: string[]): Promise<(SuiObject | null)[]>;
  listOwnedObjects(
    owner: string,
    type: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<SuiObject>>;
  listCoins(owner: string, coinType: string, cursor: string | null): Promise<Page<SuiCoin>>;
  /** `total` includes `addressBalance`, the part held outside coin objects. */
  getBalance(owner: string, coinType: string): Promise<{ total: bigint; addressBalance: bigint }>;
}

/** An object as it was at one version, and the transaction that wrote that version. */
export interface SuiObjectVersion {
  objectId: string;
  version: string;
  type: string;
  content: Uint8Array;
  previousTransaction: string | null;
}

/** A transaction's inputs and Move calls as the full node keeps them, with the versions it read. */
export interface SuiTransactionRecord {
  digest: string;
  inputs: (
    { kind: 'pure'; bytes: Uint8Array } | { kind: 'object'; objectId: string } | { kind: 'other' }
  )[];
  /** Each Move call's arguments as input indices (null: a result or the gas coin). */
  moveCalls: { package: string; module: string; function: string; arguments: (number | null)[] }[];
  /** The version each object it read or changed had before it ran. */
  inputVersions: Record<string, string>;
}

/** What an archive of past versions answers: reading a blob's history back. */
export interface SuiHistoryReader {
  /** The digest of the transaction that wrote the object's current version. */
  previousTransaction(id: string): Promise<string | null>;
  /** Null where the full node keeps no such version (pruned, or never existed). */
  getObjectAt(id: string, version: string): Promise<SuiObjectVersion | null>;
  getTransaction(digest: string): Promise<SuiTransactionRecord | null>;
}

export interface ExecutedTransaction {
  digest: string;
  created: { objectId: string; type: string }[];
  balanceChanges: { coinType: string; address: string; amount: bigint }[];
}

export interface SuiSubmitter {
  /** Completes the sender's transaction with gas and returns the bytes to sign. */
  build(tx: Transaction): Promise<Uint8Array>;
  /** Executes a signed transaction and returns once the full node has applied it. */
  execute(bytes: Uint8Array, signature: string): Promise<ExecutedTransaction>;
}

export type SuiRpc = SuiReader & SuiSubmitter & SuiHistoryReader;

const TIMEOUT_MS = 30_000;

export class GrpcSui implements SuiRpc {
  private readonly client: SuiGrpcClient;

  constructor(
    readonly url: string,
    network: string,
  ) {
    this.client = new SuiGrpcClient({ network, baseUrl: url, timeout: TIMEOUT_MS });
  }

  getObjects(ids: string[]): Promise<(SuiObject | null)[]> {
    return this.call(async () => {
      const { objects } = await this.client.core.getObjects({
        objectIds: ids,
        include: { content: true },
      });
      return objects.map((o) => {
        if (!(o instanceof Error)) return o;
        if (o instanceof ObjectError && (o.reason === 'notFound' || o.reason === 'deleted'))
          return null;
        throw o;
      });
    });
  }

  listOwnedObjects(owner: string, type: string, cursor: string | null, limit: number) {
    return this.call(async () => {
      const page = await this.client.core.listOwnedObjects({
        owner,
        type,
        cursor,
        limit,
        include: { content: true },
      });
      return { items: page.objects, cursor: page.hasNextPage ? page.cursor : null };
    });
  }

  listCoins(owner: string, coinType: string, cursor: string | null) {
    return this.call(async () => {
      const page = await this.client.core.listCoins({ owner, coinType, cursor });
      return {
        items: page.objects.map((c) => ({
          objectId: c.objectId,
          version: c.version,
          digest: c.digest,
          balance: BigInt(c.balance),
        })),
        cursor: page.hasNextPage ? page.cursor : null,
      };
    });
  }

  getBalance(owner: string, coinType: string) {
    return this.call(async () => {
      const { balance } = await this.client.core.getBalance({ owner, coinType });
      return { total: BigInt(balance.balance), addressBalance: BigInt(balance.addressBalance) };
    });
  }

  previousTransaction(id: string): Promise<string | null> {
    return this.call(async () => {
      const { objects } = await this.client.core.getObjects({
        objectIds: [id],
        include: { previousTransaction: true },
      });
      const o = objects[0];
      if (!o || o instanceof Error) return null;
      return o.previousTransaction ?? null;
    });
  }

  getObjectAt(id: string, version: string): Promise<SuiObjectVersion | null> {
    return this.call(async () => {
      try {
        const { response } = await this.client.ledgerService.getObject({
          objectId: id,
          version: BigInt(version),
          readMask: {
            paths: ['object_id', 'version', 'object_type', 'contents', 'previous_transaction'],
          },
        });
        const o = response.object;
        if (!o?.contents?.value) return null;
        return {
          objectId: o.objectId ?? id,
          version: (o.version ?? BigInt(version)).toString(),
          type: o.objectType ?? '',
          content: o.contents.value,
          previousTransaction: o.previousTransaction ?? null,
        };
      } catch (error) {
        if (error instanceof RpcError && error.code === 'NOT_FOUND') return null;
        throw error;
      }
    });
  }

  getTransaction(digest: string): Promise<SuiTransactionRecord | null> {
    return this.call(async () => {
      let result;
      try {
        result = await this.client.core.getTransaction({
          digest,
          include: { transaction: true, effects: true },
        });
      } catch (error) {
        if (error instanceof Error && /notFound/i.test(error.message)) return null;
        throw error;
      }
      const tx = result.Transaction ?? result.FailedTransaction;
      return transactionRecord(tx.digest, tx.transaction, tx.effects);
    });
  }

  build(tx: Transaction): Promise<Uint8Array> {
    return this.call(() => tx.build({ client: this.client }));
  }

  execute(bytes: Uint8Array, signature: string): Promise<ExecutedTransaction> {
    return this.call(async () => {
      const result = await this.client.core.executeTransaction({
        transaction: bytes,
        signatures: [signature],
        include: { effects: true, objectTypes: true, balanceChanges: true },
      });
      const tx = result.Transaction ?? result.FailedTransaction;
      // Wait even for a failure: it spent gas, and the next transaction must see the new
      // version of the gas coin. Sui has executed it either way, so a wait that runs out
      // must not read as "nothing happened".
      try {
        await this.client.core.waitForTransaction({ result });
      } catch (error) {
        throw new ChainError(
          'Unconfirmed',
          `transaction ${tx.digest} was executed but ${this.url} did not show it in time (${(error as Error).message}); look it up before retrying`,
        );
      }
      if (tx.status.error) throw chainErrorFromExecution(tx.status.error);
      return {
        digest: tx.digest,
        created: tx.effects.changedObjects
          .filter((c) => c.idOperation === 'Created')
          .map((c) => ({ objectId: c.objectId, type: tx.objectTypes[c.objectId] ?? '' })),
        balanceChanges: tx.balanceChanges.map((b) => ({
          coinType: b.coinType,
          address: b.address,
          amount: BigInt(b.amount),
        })),
      };
    });
  }

  /** Turns transport and execution failures into the errors every `Chain` throws. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ChainError) throw error;
      if (error instanceof SimulationError && error.executionError)
        throw chainErrorFromExecution(error.executionError);
      if (isUnreachable(error)) throw new ChainUnavailableError(this.url, error);
      // @mysten/sui's gas resolution, when the sender has no SUI in coins or address balance.
      if (error instanceof Error && /no valid gas coins/i.test(error.message))
        throw new ChainError(
          'InsufficientBalance',
          'the account has no SUI to pay for gas; top it up and retry',
        );
      const message = error instanceof Error ? error.message : String(error);
      throw new ChainError(error instanceof RpcError ? error.code : 'Rejected', message);
    }
  }
}

/**
 * The gRPC-web transport reports a failed fetch (DNS, refused, reset) as INTERNAL with
 * fetch's "fetch failed"; timeouts and overload come as DEADLINE_EXCEEDED/UNAVAILABLE.
 */
function isUnreachable(error: unknown): boolean {
  if (!(error instanceof RpcError)) return false;
  return (
    error.code === 'UNAVAILABLE' ||
    error.code === 'DEADLINE_EXCEEDED' ||
    (error.code === 'INTERNAL' && /fetch failed/i.test(error.message))
  );
}

/** The parts of Sui's transaction data and effects a reader of certificates needs. */
export function transactionRecord(
  digest: string,
  data: SuiClientTypes.TransactionData,
  effects: Pick<SuiClientTypes.TransactionEffects, 'changedObjects' | 'unchangedConsensusObjects'>,
): SuiTransactionRecord {
  const inputVersions: Record<string, string> = {};
  for (const c of effects.changedObjects)
    if (c.inputVersion !== null) inputVersions[c.objectId] = c.inputVersion;
  for (const u of effects.unchangedConsensusObjects)
    if (u.version !== null) inputVersions[u.objectId] = u.version;
  return {
    digest,
    inputs: data.inputs.map((input) => {
      if ('Pure' in input && input.Pure)
        return { kind: 'pure' as const, bytes: fromBase64(input.Pure.bytes) };
      if ('Object' in input && input.Object) {
        const o = input.Object;
        const ref =
          'ImmOrOwnedObject' in o
            ? o.ImmOrOwnedObject
            : 'SharedObject' in o
              ? o.SharedObject
              : 'Receiving' in o
                ? o.Receiving
                : undefined;
        if (ref) return { kind: 'object' as const, objectId: ref.objectId };
      }
      if ('UnresolvedObject' in input && input.UnresolvedObject)
        return { kind: 'object' as const, objectId: input.UnresolvedObject.objectId };
      return { kind: 'other' as const };
    }),
    moveCalls: data.commands.flatMap((c) => {
      if (!('MoveCall' in c) || !c.MoveCall) return [];
      const call = c.MoveCall;
      return [
        {
          package: call.package,
          module: call.module,
          function: call.function,
          arguments: call.arguments.map((a) => ('Input' in a ? (a.Input ?? null) : null)),
        },
      ];
    }),
    inputVersions,
  };
}
