/**
 * The local API's routes: every route that is not a GET declares the schema of its JSON
 * body (possibly empty), so no body reaches a handler unchecked. Matching is the shared
 * `Router`'s.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Infer, Schema } from '../index/validate.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteRequest<B> {
  params: Record<string, string>;
  query: URLSearchParams;
  body: B;
  req: IncomingMessage;
  res: ServerResponse;
}

/** What a handler answers: JSON with a status, or `null` when it wrote the response itself. */
export type Reply = { status: number; body: unknown } | null;

export interface Route {
  method: Method;
  path: string;
  /** Schema of the JSON body; a missing body is checked as `{}`. */
  body: Schema | null;
  handle(r: RouteRequest<unknown>): Promise<Reply> | Reply;
}

export function get(
  path: string,
  handle: (r: RouteRequest<undefined>) => Promise<Reply> | Reply,
): Route {
  return { method: 'GET', path, body: null, handle: handle as Route['handle'] };
}

export function withBody<S extends Schema>(
  method: Exclude<Method, 'GET'>,
  path: string,
  body: S,
  handle: (r: RouteRequest<Infer<S>>) => Promise<Reply> | Reply,
): Route {
  return { method, path, body, handle: handle as Route['handle'] };
}
