/**
 * Method + path → route, with `:name` segments as parameters: the one router of Floe's
 * HTTP servers (the local API, the storage nodes). A path that exists under another
 * method is `MethodNotAllowedError` with the methods it takes (so a caller learns it used
 * the wrong verb, not a wrong address); anything else is `RouteNotFoundError`. What a
 * route carries beyond its method and path is the server's business.
 */
import { HttpError } from './wire.js';

export interface RoutePattern {
  method: string;
  path: string;
}

export class RouteNotFoundError extends HttpError {
  constructor(readonly path: string) {
    super(404, `no such endpoint: ${path}`);
    this.name = 'RouteNotFoundError';
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(
    readonly path: string,
    readonly method: string,
    readonly allowed: string[],
  ) {
    super(405, `${path} does not take ${method}; it takes ${allowed.join(', ')}`, {
      Allow: allowed.join(', '),
    });
    this.name = 'MethodNotAllowedError';
  }
}

export class Router<R extends RoutePattern> {
  private readonly compiled: { route: R; segments: string[] }[];

  constructor(routes: R[]) {
    this.compiled = routes.map((route) => ({ route, segments: route.path.split('/') }));
  }

  match(method: string, path: string): { route: R; params: Record<string, string> } {
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
    if (allowed.length) throw new MethodNotAllowedError(path, method, allowed);
    throw new RouteNotFoundError(path);
  }

  /** The routes, for a server that documents itself. */
  get routes(): R[] {
    return this.compiled.map((c) => c.route);
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
