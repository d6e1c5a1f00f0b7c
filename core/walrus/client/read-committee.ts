/**
 * Which committee serves a read. While shards move to a new committee (`sync`), its nodes
 * may not hold yet the slivers of blobs certified before the change, and the previous
 * committee still does: a blob certified in an earlier epoch is read from the previous
 * committee until the change is done — as the official SDK's `#getReadCommittee` does.
 * The certification epoch is the one a validity weight (more than f shards) of the current
 * committee's storage nodes report for the blob, so no single node can steer the choice.
 */
import type { CommitteeMember, SystemState } from '../chain/chain.js';
import type { NodeBlobStatus, StorageNodeClient } from '../storage-node-client.js';
import type { ConcurrencyLimiter } from './limiter.js';

export interface ReadCommitteeContext {
  limiter: ConcurrencyLimiter;
  nodeClient: (url: string) => StorageNodeClient;
}

/**
 * The committees to read a blob from, in order. Outside a change: the committee. While
 * shards move, a blob certified before this epoch: the previous committee; certified in it:
 * the current one. When too few nodes say (they learn a certification by following the
 * chain, so a blob certified a moment ago is unknown to them yet): the previous committee
 * first — it holds everything certified before the change, which is what a restore reads —
 * then the current one, which holds what was stored during it.
 */
export async function readCommittees(
  ctx: ReadCommitteeContext,
  state: SystemState,
  blobId: string,
  signal?: AbortSignal,
): Promise<CommitteeMember[][]> {
  if (state.epochState !== 'sync' || !state.previousCommittee) return [state.committee];
  const certified = await certifiedEpoch(ctx, state, blobId, signal);
  if (certified === null) return [state.previousCommittee, state.committee];
  return [certified < state.epoch ? state.previousCommittee : state.committee];
}

/** The initial certification epoch that nodes holding more than f shards agree on. */
async function certifiedEpoch(
  ctx: ReadCommitteeContext,
  state: SystemState,
  blobId: string,
  signal?: AbortSignal,
): Promise<number | null> {
  const f = Math.floor((state.nShards - 1) / 3);
  const weightOf = new Map<number, number>();
  let found: number | null = null;
  const done = new AbortController();
  const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  await Promise.all(
    state.committee.map(async (m) => {
      try {
        const status = await ctx.limiter.run(() =>
          ctx.nodeClient(m.url).getBlobStatus(blobId, { signal: stop, timeoutMs: 10_000 }),
        );
        const epoch = initialCertifiedEpoch(status);
        if (epoch === null || found !== null) return;
        const weight = (weightOf.get(epoch) ?? 0) + m.shards.length;
        weightOf.set(epoch, weight);
        if (weight > f) {
          found = epoch;
          done.abort();
        }
      } catch {
        // An unreachable or refusing node does not vote.
      }
    }),
  );
  if (signal?.aborted) throw signal.reason;
  return found;
}

function initialCertifiedEpoch(status: NodeBlobStatus): number | null {
  if (typeof status !== 'object' || status === null) return null;
  const s =
    'permanent' in status ? status.permanent : 'deletable' in status ? status.deletable : null;
  return typeof s?.initialCertifiedEpoch === 'number' ? s.initialCertifiedEpoch : null;
}
