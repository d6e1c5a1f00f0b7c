/**
 * The local API's routes: every route that is not a GET declares the schema of its JSON
 * body (possibly empty), so no body reaches a handler unchecked; a GET that takes query
 * parameters declares theirs the same way. Matching is the shared `Router`'s.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError, type Infer, type Schema } from '../index/validate.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteRequest<B, Q = undefined> {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The query parameters checked against the route's `query` schema. */
  args: Q;
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
  /** Schema of the query parameters (GET routes that take any). */
  query: QuerySchema | null;
  handle(r: RouteRequest<unknown, unknown>): Promise<Reply> | Reply;
}

/** Query parameters: named text or whole-number fields, each given at most once. */
export type QuerySchema = {
  readonly type: 'object';
  readonly properties: {
    readonly [name: string]: Extract<Schema, { type: 'string' } | { type: 'integer' }>;
  };
  readonly required?: readonly string[];
};

export function get(
  path: string,
  handle: (r: RouteRequest<undefined>) => Promise<Reply> | Reply,
): Route {
  return { method: 'GET', path, body: null, query: null, handle: handle as Route['handle'] };
}

export function getWithQuery<Q extends QuerySchema>(
  path: string,
  query: Q,
  handle: (r: RouteRequest<undefined, Infer<Q>>) => Promise<Reply> | Reply,
): Route {
  return { method: 'GET', path, body: null, query, handle: handle as Route['handle'] };
}

export function withBody<S extends Schema>(
  method: Exclude<Method, 'GET'>,
  path: string,
  body: S,
  handle: (r: RouteRequest<Infer<S>>) => Promise<Reply> | Reply,
): Route {
  return { method, path, body, query: null, handle: handle as Route['handle'] };
}

/**
 * The query string as the object its schema describes: whole-number fields as numbers
 * (anything else is left for the schema to refuse), a field given twice refused.
 */
export function queryArgs(schema: QuerySchema, query: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [name, value] of query) {
    if (Object.hasOwn(args, name)) throw new ValidationError(name, 'is given more than once');
    const isInteger = schema.properties[name]?.type === 'integer';
    args[name] = isInteger && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
  }
  return args;
}
