/**
 * Client of one storage node's REST API — the same paths, bodies and envelopes whether
 * the node is a localnet process on loopback or a Walrus mainnet operator.
 */
import type { SliverKind } from './encoding/bcs.js';

export class NodeUnavailableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`storage node ${url} is unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'NodeUnavailableError';
  }
}

export class NodeRejectedError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(`storage node ${url} refused (${status} ${reason}): ${message}`);
    this.name = 'NodeRejectedError';
  }
}

export interface SignedConfirmation {
  serializedMessage: Uint8Array;
  signature: Uint8Array;
}

export type NodeBlobStatus =
  | 'nonexistent'
  | {
      permanent: {
        endEpoch: number;
        isCertified: boolean;
        initialCertifiedEpoch: number | null;
        statusEvent: { txDigest: string; eventSeq: string };
      };
    }
  | { deletable: { initialCertifiedEpoch: number | null } }
  | { invalid: { event: { txDigest: string; eventSeq: string } } };

/** walrus-service's `ServiceHealthInfo` (the fields Floe reads). */
export interface NodeHealth {
  epoch: number;
  nodeStatus: string;
  publicKey: string;
  shardSummary: { owned: number; readOnly: number };
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class StorageNodeClient {
  constructor(readonly url: string) {}

  async getMetadata(blobId: string, o: RequestOptions = {}): Promise<Uint8Array> {
    return this.bytes(await this.request('GET', `/v1/blobs/${blobId}/metadata`, o));
  }

  async putMetadata(blobId: string, metadata: Uint8Array, o: RequestOptions = {}): Promise<void> {
    await this.request('PUT', `/v1/blobs/${blobId}/metadata`, o, metadata);
  }

  async getSliver(
    blobId: string,
    pair: number,
    kind: SliverKind,
    o: RequestOptions = {},
  ): Promise<Uint8Array> {
    return this.bytes(await this.request('GET', `/v1/blobs/${blobId}/slivers/${pair}/${kind}`, o));
  }

  async putSliver(
    blobId: string,
    pair: number,
    kind: SliverKind,
    sliver: Uint8Array,
    o: RequestOptions = {},
  ): Promise<void> {
    await this.request('PUT', `/v1/blobs/${blobId}/slivers/${pair}/${kind}`, o, sliver);
  }

  /**
   * BCS recovery symbols for rebuilding the `kind` sliver with index `sliverIndex`: one
   * from each sliver of the other axis the node holds, each with its Merkle proof.
   */
  async getRecoverySymbols(
    blobId: string,
    kind: SliverKind,
    sliverIndex: number,
    o: RequestOptions = {},
  ): Promise<Uint8Array> {
    const proofAxis = kind === 'primary' ? 'secondary' : 'primary';
    const query = `targetSliver=${sliverIndex}&targetType=${kind}&proofAxis=${proofAxis}`;
    return this.bytes(await this.request('GET', `/v1/blobs/${blobId}/recoverySymbols?${query}`, o));
  }

  /**
   * BCS decoding symbols (no proofs) for source slivers of `kind`: for each index, the
   * symbol each sliver of the other axis the node holds has at that position.
   */
  async getDecodingSymbols(
    blobId: string,
    kind: SliverKind,
    sliverIndices: number[],
    o: RequestOptions = {},
  ): Promise<Uint8Array> {
    const targets = sliverIndices.map((i) => `targetSlivers=${i}`).join('&');
    const query = `${targets}&targetType=${kind}`;
    return this.bytes(await this.request('GET', `/v1/blobs/${blobId}/decodingSymbols?${query}`, o));
  }

  async getConfirmation(
    blobId: string,
    deletableObjectId: string | null,
    o: RequestOptions = {},
  ): Promise<SignedConfirmation> {
    const path = deletableObjectId
      ? `/v1/blobs/${blobId}/confirmation/deletable/${deletableObjectId}`
      : `/v1/blobs/${blobId}/confirmation/permanent`;
    const data = await this.data<{ signed: { serializedMessage: string; signature: string } }>(
      await this.request('GET', path, o),
    );
    return {
      serializedMessage: new Uint8Array(Buffer.from(data.signed.serializedMessage, 'base64')),
      signature: new Uint8Array(Buffer.from(data.signed.signature, 'base64')),
    };
  }

  async getBlobStatus(blobId: string, o: RequestOptions = {}): Promise<NodeBlobStatus> {
    return this.data(await this.request('GET', `/v1/blobs/${blobId}/status`, o));
  }

  async health(o: RequestOptions = {}): Promise<NodeHealth> {
    return this.data(await this.request('GET', '/v1/health', o));
  }

  private async request(
    method: string,
    path: string,
    o: RequestOptions,
    body?: Uint8Array,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        signal,
        ...(body
          ? {
              body: body as Uint8Array<ArrayBuffer>,
              headers: { 'content-type': 'application/octet-stream' },
            }
          : {}),
      });
    } catch (error) {
      if (o.signal?.aborted) throw o.signal.reason ?? error;
      throw new NodeUnavailableError(this.url, error);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let reason = res.statusText;
      let message = text;
      try {
        const e = (
          JSON.parse(text) as { error?: { message?: string; details?: { reason?: string }[] } }
        ).error;
        reason = e?.details?.[0]?.reason ?? reason;
        message = e?.message ?? message;
      } catch {
        // not JSON: keep the text
      }
      // A 5xx says the node is unwell, not that it disagrees: callers retry those.
      if (res.status >= 500)
        throw new NodeUnavailableError(this.url, new Error(`${res.status} ${message}`));
      throw new NodeRejectedError(this.url, res.status, reason, message);
    }
    return res;
  }

  private async bytes(res: Response): Promise<Uint8Array> {
    return new Uint8Array(await res.arrayBuffer());
  }

  private async data<T>(res: Response): Promise<T> {
    return ((await res.json()) as { success: { data: T } }).success.data;
  }
}

/** One client per node URL, made on first use: what a store or a read fans out through. */
export function nodeClients(): (url: string) => StorageNodeClient {
  const clients = new Map<string, StorageNodeClient>();
  return (url) => {
    let c = clients.get(url);
    if (!c) clients.set(url, (c = new StorageNodeClient(url)));
    return c;
  };
}
