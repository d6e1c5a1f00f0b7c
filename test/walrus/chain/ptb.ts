/**
 * Reading back a programmable transaction as Sui would receive it: the transaction kind is
 * built offline (every object reference is already resolved, so no full node is asked),
 * its BCS decoded with @mysten/sui's `TransactionKind` layout, and each argument followed
 * to the input or result it names. Pure inputs are parsed with the Move parameter's BCS
 * type and must use every byte, so a wrongly typed argument shows.
 */
import assert from 'node:assert/strict';
import { bcs, type BcsType } from '@mysten/sui/bcs';
import type { Transaction } from '@mysten/sui/transactions';

type Kind = ReturnType<typeof bcs.TransactionKind.parse>;
type Programmable = NonNullable<Kind['ProgrammableTransaction']>;
export type Command = Programmable['commands'][number];
export type Argument = NonNullable<Command['MoveCall']>['arguments'][number];
export type MoveCall = NonNullable<Command['MoveCall']>;

export interface DecodedTransaction {
  inputs: Programmable['inputs'];
  commands: Programmable['commands'];
  moveCalls(): MoveCall[];
  /** The one call of `module::fn`. */
  call(module: string, fn: string): MoveCall;
  objectInput(arg: Argument): { objectId: string; kind: string; mutable?: boolean };
  ownedInputs(): { objectId: string; version: string }[];
  transferredTo(): string[];
  withdrawalAmounts(): string[];
}

export async function decodeTransaction(tx: Transaction): Promise<DecodedTransaction> {
  const kind = bcs.TransactionKind.parse(await tx.build({ onlyTransactionKind: true }));
  assert.ok(kind.ProgrammableTransaction, 'a programmable transaction');
  const { inputs, commands } = kind.ProgrammableTransaction;
  const input = (arg: Argument) => {
    assert.equal(arg.$kind, 'Input', `argument ${JSON.stringify(arg)} is not an input`);
    return inputs[arg.Input!]!;
  };
  const decoded: DecodedTransaction = {
    inputs,
    commands,
    moveCalls: () => commands.flatMap((c) => (c.MoveCall ? [c.MoveCall] : [])),
    call(module, fn) {
      const matches = decoded.moveCalls().filter((c) => c.module === module && c.function === fn);
      assert.equal(matches.length, 1, `one call of ${module}::${fn}`);
      return matches[0]!;
    },
    objectInput(arg) {
      const object = input(arg).Object;
      assert.ok(object, `argument ${JSON.stringify(arg)} is not an object`);
      if (object.SharedObject)
        return {
          objectId: object.SharedObject.objectId,
          kind: 'shared',
          mutable: object.SharedObject.mutable,
        };
      assert.ok(object.ImmOrOwnedObject);
      return { objectId: object.ImmOrOwnedObject.objectId, kind: 'owned' };
    },
    ownedInputs: () =>
      inputs.flatMap((i) =>
        i.Object?.ImmOrOwnedObject
          ? [
              {
                objectId: i.Object.ImmOrOwnedObject.objectId,
                version: i.Object.ImmOrOwnedObject.version,
              },
            ]
          : [],
      ),
    transferredTo: () =>
      commands.flatMap((c) =>
        c.TransferObjects ? [pureArg(decoded, c.TransferObjects.address, bcs.Address)] : [],
      ) as string[],
    withdrawalAmounts: () =>
      inputs.flatMap((i) =>
        i.FundsWithdrawal ? [String(i.FundsWithdrawal.reservation.MaxAmountU64)] : [],
      ),
  };
  return decoded;
}

/** Parses a pure argument as `type`, refusing bytes left over. */
export function pureArg<T>(ptb: DecodedTransaction, arg: Argument, type: BcsType<T, any>): T {
  assert.equal(arg.$kind, 'Input', `argument ${JSON.stringify(arg)} is not an input`);
  const pure = ptb.inputs[arg.Input!]!.Pure;
  assert.ok(pure, `input ${arg.Input} is not pure`);
  const bytes = Uint8Array.from(atob(pure.bytes), (c) => c.charCodeAt(0));
  const value = type.parse(bytes);
  assert.equal(
    type.serialize(value as never).toBytes().length,
    bytes.length,
    `no bytes beyond a ${type.name}`,
  );
  return value;
}
