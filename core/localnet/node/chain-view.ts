/**
 * What a storage node needs to know from the chain, cached briefly: a node answers
 * thousands of sliver uploads per blob and must not ask the ledger for each one.
 */
import type {
  BlobObject,
  CommitteeMember,
  ReadChain,
  SystemState,
} from '../../walrus/chain/chain.js';

const STATE_TTL_MS = 250;
const MAX_CACHED_BLOBS = 4096;

export class ChainView {
  private state: { value: SystemState; at: number } | null = null;
  /** Live objects per blob id: every sliver read asks whether its blob is registered. */
  private readonly live = new Map<string, { value: BlobObject[]; at: number }>();

  constructor(
    readonly chain: ReadChain,
    readonly nodeId: string,
  ) {}

  async systemState(): Promise<SystemState> {
    if (!this.state || Date.now() - this.state.at > STATE_TTL_MS) {
      this.state = { value: await this.chain.systemState(), at: Date.now() };
    }
    return this.state.value;
  }

  invalidate(): void {
    this.state = null;
    this.live.clear();
  }

  /** Drops what is known of one blob: the chain changed it (registered, certified, deleted). */
  forget(blobId: string): void {
    this.live.delete(blobId);
  }

  async self(): Promise<CommitteeMember | null> {
    return (await this.systemState()).committee.find((m) => m.nodeId === this.nodeId) ?? null;
  }

  /**
   * Whether this node serves reads of `shard`: it holds it, or — while shards move to a
   * new committee — held it in the previous one. As a Walrus node keeps a shard it hands
   * over until the change is done, readers of older blobs (who ask the previous committee)
   * and the shard's new holder, syncing, still find it here. Writes need the shard held.
   */
  async servesShard(shard: number): Promise<boolean> {
    const state = await this.systemState();
    const holds = (members: CommitteeMember[] | null) =>
      members?.find((m) => m.nodeId === this.nodeId)?.shards.includes(shard) ?? false;
    return (
      holds(state.committee) || (state.epochState === 'sync' && holds(state.previousCommittee))
    );
  }

  /** Blob objects for the id that still hold storage: registered or certified, not past their end. */
  async liveObjects(blobId: string): Promise<BlobObject[]> {
    const cached = this.live.get(blobId);
    if (cached && Date.now() - cached.at <= STATE_TTL_MS) return cached.value;
    const { epoch } = await this.systemState();
    const value = (await this.chain.blobsById(blobId)).filter(
      (b) => (b.state === 'registered' || b.state === 'certified') && b.endEpoch > epoch,
    );
    // Bounded: a reader may ask about any number of blob ids.
    if (this.live.size >= MAX_CACHED_BLOBS) this.live.clear();
    this.live.set(blobId, { value, at: Date.now() });
    return value;
  }

  async isRegistered(blobId: string): Promise<boolean> {
    return (await this.liveObjects(blobId)).length > 0;
  }
}
