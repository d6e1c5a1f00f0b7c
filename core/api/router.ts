/**
 * Method + path → handler, with `:name` segments as parameters. A path that exists under
 * another method is 405 with `Allow` (so a caller learns it used the wrong verb, not a
 * wrong address); anything else is 404. Every route that is not a GET declares the
 * schema of its body (possibly empty), so no body reaches a handler unchecked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';
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

export class Router {
  private readonly compiled: { route: Route; segments: string[] }[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.path.split('/') }));
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const parts = path.split('/').map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw new HttpError(400, `the path ${path} is not well-formed`);
      }
    });
    const allowed: string[] = [];
    for (const { route, segments } of this.compiled) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    if (allowed.length)
      throw new HttpError(405, `${path} does not take ${method}; it takes ${allowed.join(', ')}`, {
        Allow: allowed.join(', '),
      });
    throw new HttpError(404, `no such API endpoint: ${path}`);
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, seg] of pattern.entries()) {
    if (seg.startsWith(':')) params[seg.slice(1)] = parts[i]!;
    else if (seg !== parts[i]) return null;
  }
  return params;
}
