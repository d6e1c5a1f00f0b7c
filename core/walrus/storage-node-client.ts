/**
 * Client of one storage node's REST API — the same paths, bodies and envelopes whether
 * the node is a localnet process on loopback or a Walrus mainnet operator.
 *
 * Requests go through node:http(s) with keep-alive agents shared by every client, and a
 * body is written to the socket from the caller's bytes as they are. fetch (undici) cost
 * a store of a 32 MiB pack — 150 MiB of slivers — a copy of every sliver into a web
 * stream and its request machinery on the main thread (issue 15's profile: 0.8 s of
 * 127 MiB's backup, plus the garbage collections those copies caused).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  ): Promise<Reply> {
    const timeout = AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
    let res: Reply;
    try {
      res = await send(new URL(this.url + path), method, signal, body);
    } catch (error) {
      if (o.signal?.aborted) throw o.signal.reason ?? error;
      throw new NodeUnavailableError(this.url, timeout.aborted ? new Error('timed out') : error);
    }
    if (res.status < 200 || res.status >= 300) {
      const text = res.body.toString('utf8');
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

  private bytes(res: Reply): Uint8Array {
    return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
  }

  private data<T>(res: Reply): T {
    return (JSON.parse(res.body.toString('utf8')) as { success: { data: T } }).success.data;
  }
}

interface Reply {
  status: number;
  statusText: string;
  body: Buffer;
}

/** Idle connections are kept for the next request to the same node (and unref'd). */
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

/**
 * One HTTP exchange. A kept-alive connection the node closed just as it was reused fails
 * before any answer; that request is sent once more on a new connection (what Node's
 * documentation advises for `reusedSocket`), since it never reached the node.
 */
async function send(
  url: URL,
  method: string,
  signal: AbortSignal,
  body: Uint8Array | undefined,
): Promise<Reply> {
  try {
    return await exchange(url, method, signal, body, false);
  } catch (error) {
    if (!(error instanceof StaleConnectionError)) throw error;
    return exchange(url, method, signal, body, true);
  }
}

class StaleConnectionError extends Error {}

function exchange(
  url: URL,
  method: string,
  signal: AbortSignal,
  body: Uint8Array | undefined,
  fresh: boolean,
): Promise<Reply> {
  const protocol = url.protocol as keyof typeof agents;
  const agent = agents[protocol];
  if (!agent) return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const request = protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Reply>((resolve, reject) => {
    const req = request(url, {
      method,
      signal,
      // A retried request takes a connection of its own rather than another stale one.
      agent: fresh ? false : agent,
      headers: body
        ? { 'content-type': 'application/octet-stream', 'content-length': body.byteLength }
        : {},
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!fresh && req.reusedSocket && error.code === 'ECONNRESET')
        reject(new StaleConnectionError());
      else reject(error);
    });
    req.on('response', (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error('the node closed the connection mid-answer'));
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          body: parts.length === 1 ? parts[0]! : Buffer.concat(parts),
        }),
      );
    });
    // The caller's bytes go to the socket as they are: a view, not a copy.
    req.end(body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined);
  });
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
