/**
 * Reading requests and writing answers, for every HTTP server Floe runs (the local API,
 * the localnet's storage nodes and upload relay): errors that carry their status, bodies
 * read under a limit that is enforced before they are buffered, and JSON, bytes or empty
 * answers with their length.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * What is left of a refused body is read and dropped (so the connection can carry the
 * next request, and the sender reads the refusal instead of a reset) when it is at most
 * this long — dropping costs no memory, only the reading; past it, or when its length
 * is unknown, the answer closes the connection instead of reading on.
 */
const DRAIN_LIMIT = 256 * 1024 * 1024;

/** Bytes of each request's body read so far, for deciding whether the rest can be drained. */
const bodyBytesRead = new WeakMap<IncomingMessage, number>();

/**
 * The request's body, at most `limit` bytes. A body whose Content-Length says it is
 * longer is refused with `tooLarge()` before a byte of it is read; a chunked one as soon
 * as it passes the limit. Either way nothing more of it is kept in memory.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const declared = declaredLength(req);
  if (declared !== null && declared > limit) throw tooLarge();
  // Listened to rather than iterated: leaving a for-await early destroys the socket, and
  // with it the answer to this request and the next one on the connection.
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      bodyBytesRead.set(req, size);
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).off('error', onError);
      chunks.length = 0;
      req.pause();
      reject(tooLarge());
    };
    const onEnd = () => {
      // Copied once, into memory of the body's own (`new Uint8Array(Buffer.concat(…))`
      // copied it twice, and a short concatenation is a slice of Node's shared pool):
      // a storage node receives 4.5 bytes for every byte backed up, and the relay hands
      // the blob to a codec worker, which takes a whole buffer without copying it.
      const body = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        body.set(chunk, at);
        at += chunk.length;
      }
      resolve(body);
    };
    const onError = (error: Error) => reject(error);
    req.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

function declaredLength(req: IncomingMessage): number | null {
  const text = req.headers['content-length'];
  if (text === undefined || req.headers['transfer-encoding'] !== undefined) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Headers an answer needs when its request's body was not read to the end: none when
 * Node can drop the rest cheaply (it does so once the answer is sent, keeping the
 * connection), `Connection: close` when the rest is long or of unknown length.
 */
export function unreadBodyHeaders(req: IncomingMessage): Record<string, string> {
  if (req.complete || req.method === 'GET' || req.method === 'HEAD') return {};
  const declared = declaredLength(req);
  const remaining = declared === null ? Infinity : declared - (bodyBytesRead.get(req) ?? 0);
  if (remaining <= DRAIN_LIMIT) {
    // Node drops an unread body only if nothing paused it.
    req.resume();
    return {};
  }
  return { Connection: 'close' };
}

/** JSON with 64-bit amounts (FROST, MIST) as decimal strings: a JS number would round them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = toJson(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  bytes: Uint8Array,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(bytes.length),
    ...headers,
  });
  res.end(bytes);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}
