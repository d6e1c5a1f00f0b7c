/**
 * One call of a transaction, handed to the module that owns what it changes. Its fields
 * were checked when the transaction was read (`validate.ts`).
 */
import { transferWal } from './accounts.js';
import {
  certifyBlob,
  deleteBlob,
  extendBlob,
  registerBlob,
  removeAttribute,
  setAttributes,
  transferBlob,
} from './blobs.js';
import { answerChallenge } from './challenges.js';
import type { CallContext } from './context.js';
import { refuse } from './errors.js';
import { epochSyncDone } from './epochs.js';
import { castVote } from './prices.js';
import { setNodeUrl, stake, withdrawStake } from './staking.js';
import { reshapeStorage } from './storage.js';
import type { Call, TxResult } from './wire.js';

export function applyCall(ctx: CallContext, call: Call): Omit<TxResult, 'digest'> {
  switch (call.kind) {
    case 'transfer_wal':
      transferWal(ctx, call.to, BigInt(call.amount));
      return { cost: '0' };
    case 'register_blob':
      return registerBlob(ctx, call);
    case 'certify_blob':
      return certifyBlob(ctx, call);
    case 'extend_blob':
      return extendBlob(ctx, call.objectId, call.epochs, call.payment);
    case 'delete_blob':
      return deleteBlob(ctx, call.objectId);
    case 'transfer_blob':
      return transferBlob(ctx, call.objectId, call.to);
    case 'set_attributes':
      return setAttributes(ctx, call.objectId, call.attributes);
    case 'remove_attribute':
      return removeAttribute(ctx, call.objectId, call.key);
    case 'split_storage_by_epoch':
    case 'split_storage_by_size':
    case 'merge_storage':
      return reshapeStorage(ctx, call);
    case 'stake':
      return stake(ctx, call.nodeId, BigInt(call.amount));
    case 'withdraw_stake':
      return withdrawStake(ctx, call.stakeId);
    case 'answer_challenge':
      return { cost: '0', passed: answerChallenge(ctx.db, ctx.sender, ctx.epoch, call, ctx.emit) };
    case 'set_node_url':
      return setNodeUrl(ctx, call.nodeId, call.url);
    case 'set_storage_price_vote':
      return castVote(ctx, call.nodeId, 'storage_price', BigInt(call.price));
    case 'set_write_price_vote':
      return castVote(ctx, call.nodeId, 'write_price', BigInt(call.price));
    case 'set_node_capacity_vote':
      return castVote(ctx, call.nodeId, 'capacity', BigInt(call.capacity));
    case 'epoch_sync_done':
      return epochSyncDone(ctx, call.nodeId, call.epoch, Date.now());
    default:
      throw refuse.invalid(`unknown call "${(call as { kind: string }).kind}"`);
  }
}
