/**
 * The API's HTTP vocabulary: errors that carry their status, JSON answers with the headers
 * every answer carries, and request bodies read under a size limit and parsed only when
 * they declare themselves JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson as sendJsonAnswer, toJson } from '../http/wire.js';

/** Every body the API takes is a few fields; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * On every response: answers are one user's live state behind a token, so nothing may be
 * cached, and no browser may sniff a JSON answer into something it would run.
 */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export { HttpError, toJson };

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJsonAnswer(res, status, body, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
  });
}

/**
 * The request's JSON body, or undefined when it has none. Refuses (before reading, when
 * Content-Length says so) bodies over `MAX_BODY_BYTES` with 413, bodies not labelled
 * application/json with 415 — a cross-site form can only send form or text types — and
 * bytes that are not UTF-8 JSON with 400.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || declared === '0')) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'request bodies must be JSON, sent as Content-Type: application/json');
  const tooLarge = () =>
    new HttpError(413, `request bodies are limited to ${MAX_BODY_BYTES} bytes`, {
      // The rest of the body is not read, so this connection cannot carry another request.
      Connection: 'close',
    });
  const bytes = await readBody(req, MAX_BODY_BYTES, tooLarge);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}
