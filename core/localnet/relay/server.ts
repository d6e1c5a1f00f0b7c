/**
 * The localnet's upload relay: Walrus's upload-relay API (`GET /v1/tip-config`,
 * `POST /v1/blob-upload-relay`) on loopback, doing what the real relay does — check the
 * tip in the registering transaction (fresh, enough SUI to the relay's address, an auth
 * package naming these bytes and the nonce), encode the blob, refuse it if the blob id
 * differs, send the committee its slivers and answer with the confirmation certificate —
 * with the ledger standing in for Sui's transaction lookup.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, readBody, sendJson, unreadBodyHeaders } from '../../http/wire.js';
import { LocalReadChain } from '../../walrus/chain/local-chain.js';
import { ConcurrencyLimiter } from '../../walrus/client/limiter.js';
import { fanOut } from '../../walrus/client/fan-out.js';
import { DEFAULT_RETRY } from '../../walrus/client/retry.js';
import {
  blobIdFromString,
  blobIdToString,
  encodeMetadata,
  EncodingConfig,
  type CodecPool,
} from '../../walrus/encoding/index.js';
import { confirmationMessage } from '../../walrus/protocol/confirmation.js';
import {
  authPayloadProblem,
  tipAmount,
  tipConfigJson,
  type TipConfig,
} from '../../walrus/relay/tip.js';
import { nodeClients } from '../../walrus/storage-node-client.js';
import { LOOPBACK, serverUrl } from '../address.js';

export interface UploadRelayOptions {
  /** The ledger's URL. */
  chainUrl: string;
  pool: CodecPool;
  tip: TipConfig;
  /** A tip transaction older than this is refused (the real relay's default: 10 hours). */
  freshnessMs?: number;
  port?: number;
  /** The address to listen on (default loopback). */
  host?: string;
}

const PARAMS = new Set(['blob_id', 'tx_id', 'nonce', 'deletable_blob_object', 'encoding_type']);

/** An answer with a status, as the real relay maps its errors to HTTP. */
class RelayError extends HttpError {}

export class UploadRelay {
  private readonly chain: LocalReadChain;
  private readonly server: Server;
  private readonly limiter = new ConcurrencyLimiter(64);
  private readonly nodeClient = nodeClients();
  /** Blobs relayed, for tests and the localnet's log. */
  relayed = 0;

  constructor(private readonly o: UploadRelayOptions) {
    this.chain = new LocalReadChain(o.chainUrl);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  get url(): string {
    return serverUrl(this.o.host ?? LOOPBACK, (this.server.address() as AddressInfo).port);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? LOOPBACK, () => resolve());
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://relay');
      if (req.method === 'GET' && url.pathname === '/v1/tip-config')
        return sendJson(res, 200, tipConfigJson(this.o.tip));
      if (req.method === 'POST' && url.pathname === '/v1/blob-upload-relay')
        return sendJson(res, 200, await this.relay(url.searchParams, req));
      throw new RelayError(404, `no route ${req.method} ${url.pathname}`);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent)
        sendJson(
          res,
          status,
          { error: { message: (error as Error).message } },
          unreadBodyHeaders(req),
        );
    }
  }

  private async relay(q: URLSearchParams, req: IncomingMessage): Promise<unknown> {
    for (const key of q.keys())
      if (!PARAMS.has(key)) throw new RelayError(400, `unknown query parameter "${key}"`);
    const blobIdText = q.get('blob_id');
    if (!blobIdText) throw new RelayError(400, 'blob_id is required');
    try {
      blobIdFromString(blobIdText);
    } catch (error) {
      throw new RelayError(400, (error as Error).message);
    }
    const encoding = q.get('encoding_type');
    if (encoding !== null && encoding !== 'RS2')
      throw new RelayError(400, `encoding type ${encoding} is not supported`);
    const state = await this.chain.systemState();
    const max = new EncodingConfig(state.nShards).maxBlobSize;
    const blob = await readBody(
      req,
      max,
      () => new RelayError(400, `the blob exceeds this network's maximum of ${max} bytes`),
    );
    if (this.o.tip) await this.checkTip(q, blob, state.nShards);

    const encoded = await this.o.pool.encode(state.nShards, blob.slice());
    const blobId = blobIdToString(encoded.blobId);
    if (blobId !== blobIdText)
      throw new RelayError(
        400,
        'the provided blob ID and the blob ID resulting from the blob encoding do not match',
      );
    const deletable = q.get('deletable_blob_object');
    const result = await fanOut(
      {
        limiter: this.limiter,
        retry: DEFAULT_RETRY,
        nodeClient: this.nodeClient,
      },
      {
        state,
        encoded,
        blobId,
        metadata: encodeMetadata(encoded.metadata),
        deletableObjectId: deletable,
        expected: confirmationMessage(
          state.epoch,
          encoded.blobId,
          deletable ? { deletable: true, objectId: deletable } : { deletable: false },
        ),
      },
    );
    if (!result.certificate)
      throw new RelayError(
        500,
        `not enough confirmations: ${result.shardsConfirmed} shards confirmed; ${result.failures.join('; ')}`,
      );
    this.relayed++;
    return {
      blob_id: blobId,
      confirmation_certificate: {
        signers: result.certificate.signers,
        serialized_message: Array.from(result.certificate.message),
        signature: Buffer.from(result.certificate.signature).toString('base64url'),
      },
    };
  }

  /** walrus-upload-relay's checks, in its order: present, fresh, paid enough, for this blob. */
  private async checkTip(q: URLSearchParams, blob: Uint8Array, nShards: number): Promise<void> {
    const txId = q.get('tx_id');
    const nonceText = q.get('nonce');
    if (!txId || !nonceText) throw new RelayError(400, 'the tx_id and nonce are required');
    const nonce = new Uint8Array(Buffer.from(nonceText, 'base64url'));
    if (nonce.length !== 32) throw new RelayError(400, 'the nonce must be 32 bytes');
    const tx = await this.chain.transaction(txId);
    if (!tx) throw new RelayError(400, `transaction ${txId} is not known`);
    const age = Date.now() - tx.timestampMs;
    if (age > (this.o.freshnessMs ?? 10 * 3_600_000))
      throw new RelayError(400, 'the tip transaction is too old');
    const tip = this.o.tip!;
    const expected = tipAmount(tip, blob.length, nShards);
    const paid = tx.balanceChanges.find((c) => c.address === tip.address && c.coin === 'sui');
    if (!paid) throw new RelayError(402, 'no tip was sent to the relay');
    if (BigInt(paid.amount) < expected)
      throw new RelayError(402, `the tip of ${paid.amount} is less than the ${expected} required`);
    if (!tx.authPayload)
      throw new RelayError(
        401,
        'the auth package is missing from the first input of the transaction',
      );
    const problem = authPayloadProblem(
      new Uint8Array(Buffer.from(tx.authPayload, 'base64')),
      blob,
      nonce,
    );
    if (problem) throw new RelayError(401, problem);
  }
}
