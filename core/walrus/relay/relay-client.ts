/**
 * Client of a Walrus upload relay (`/v1/tip-config`, `/v1/blob-upload-relay`): the
 * unencoded blob goes up once, and the relay encodes it, sends each storage node its
 * slivers and answers with the nodes' confirmation certificate. For people whose uplink
 * cannot carry the ~5× a direct store sends.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Certificate } from '../chain/chain.js';
import { parseTipConfig, type TipConfig } from './tip.js';

/** Bytes per write: small enough for smooth progress and rate limiting. */
const CHUNK = 256 * 1024;
const TIMEOUT_MS = 120_000;

export class UploadRelayUnavailableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`the upload relay ${url} cannot be reached: ${(cause as Error)?.message ?? cause}`);
    this.name = 'UploadRelayUnavailableError';
  }
}

export class UploadRelayRefusedError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(`the upload relay ${url} refused the upload (${status}): ${detail}`);
    this.name = 'UploadRelayRefusedError';
  }
}

export interface RelayUpload {
  blobId: string;
  blob: Uint8Array;
  /** Set when the blob is deletable: the relay needs it to ask for the right confirmations. */
  deletableObjectId?: string;
  /** The paying transaction and the nonce its auth package commits to (paid relays only). */
  tip?: { txDigest: string; nonce: Uint8Array };
  /** Awaited before each chunk is sent (the upload bandwidth limit). */
  beforeChunk?: (bytes: number) => Promise<void>;
  onSent?: (bytes: number) => void;
  signal?: AbortSignal;
}

export class UploadRelayClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  async tipConfig(): Promise<TipConfig> {
    const { status, body } = await this.send('GET', '/v1/tip-config');
    if (status !== 200) throw new UploadRelayRefusedError(this.url, status, body.toString());
    try {
      return parseTipConfig(JSON.parse(body.toString()));
    } catch (error) {
      if (error instanceof SyntaxError)
        throw new UploadRelayRefusedError(this.url, status, 'the tip configuration is not JSON');
      throw error;
    }
  }

  /** Uploads the blob; returns the certificate as the relay states it (callers verify it). */
  async writeBlob(u: RelayUpload): Promise<Certificate> {
    const query = new URLSearchParams({ blob_id: u.blobId });
    if (u.tip) {
      query.set('tx_id', u.tip.txDigest);
      query.set('nonce', Buffer.from(u.tip.nonce).toString('base64url'));
    }
    if (u.deletableObjectId) query.set('deletable_blob_object', u.deletableObjectId);
    const { status, body } = await this.send('POST', `/v1/blob-upload-relay?${query}`, u);
    if (status !== 200) throw new UploadRelayRefusedError(this.url, status, errorText(body));
    return parseCertificate(this.url, body);
  }

  private send(
    method: string,
    path: string,
    upload?: RelayUpload,
  ): Promise<{ status: number; body: Buffer }> {
    const url = new URL(this.url + path);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const signal = upload?.signal
      ? AbortSignal.any([upload.signal, AbortSignal.timeout(TIMEOUT_MS)])
      : AbortSignal.timeout(TIMEOUT_MS);
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) =>
        reject(upload?.signal?.aborted ? error : new UploadRelayUnavailableError(this.url, error));
      const req = request(
        url,
        {
          method,
          signal,
          headers: upload
            ? {
                'content-type': 'application/octet-stream',
                'content-length': upload.blob.length,
              }
            : {},
        },
        (res: IncomingMessage) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      if (!upload) return void req.end();
      writeChunks(req, upload).then(
        () => req.end(),
        (error) => req.destroy(error as Error),
      );
    });
  }
}

async function writeChunks(req: ReturnType<typeof httpRequest>, u: RelayUpload): Promise<void> {
  for (let at = 0; at < u.blob.length; at += CHUNK) {
    const chunk = u.blob.subarray(at, at + CHUNK);
    await u.beforeChunk?.(chunk.length);
    if (!req.write(chunk)) await drained(req);
    u.onSent?.(chunk.length);
  }
}

/** Resolves when the request can take more, rejects if it closes first; leaves no listener. */
function drained(req: ReturnType<typeof httpRequest>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      req.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      req.off('drain', onDrain);
      reject(new Error('the connection closed'));
    };
    req.once('drain', onDrain);
    req.once('close', onClose);
  });
}

function parseCertificate(url: string, body: Buffer): Certificate {
  try {
    const c = (
      JSON.parse(body.toString()) as {
        confirmation_certificate: {
          signers: number[];
          serialized_message: number[];
          signature: string;
        };
      }
    ).confirmation_certificate;
    if (!Array.isArray(c.signers) || !Array.isArray(c.serialized_message))
      throw new Error('missing fields');
    return {
      signers: c.signers,
      message: Uint8Array.from(c.serialized_message),
      signature: new Uint8Array(Buffer.from(c.signature, 'base64url')),
    };
  } catch (error) {
    throw new UploadRelayRefusedError(
      url,
      200,
      `its answer is not a confirmation certificate (${(error as Error).message})`,
    );
  }
}

function errorText(body: Buffer): string {
  const text = body.toString();
  try {
    const json = JSON.parse(text) as { error?: { message?: string } };
    return (json.error?.message ?? text).slice(0, 500);
  } catch {
    return text.slice(0, 500) || 'no reason given';
  }
}
