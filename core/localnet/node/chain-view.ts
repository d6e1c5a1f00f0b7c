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

export class ChainView {
  private state: { value: SystemState; at: number } | null = null;

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
  }

  async self(): Promise<CommitteeMember | null> {
    return (await this.systemState()).committee.find((m) => m.nodeId === this.nodeId) ?? null;
  }

  /** Blob objects for the id that still hold storage: registered or certified, not past their end. */
  async liveObjects(blobId: string): Promise<BlobObject[]> {
    const { epoch } = await this.systemState();
    return (await this.chain.blobsById(blobId)).filter(
      (b) => (b.state === 'registered' || b.state === 'certified') && b.endEpoch > epoch,
    );
  }
}
