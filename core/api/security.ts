/**
 * Who may talk to the API. It listens on loopback only, but loopback is reachable from
 * every web page the user opens: a page can send requests to 127.0.0.1 (CSRF), or point
 * its own hostname at 127.0.0.1 and then read the answers as same-origin (DNS rebinding).
 * So every request must name this server in Host (a rebinding page's requests carry the
 * page's hostname), come from this server's own origin if it names one, and — under
 * /api — carry this run's bearer token, which no other page can read.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http.js';

/** The hosts the server may bind: anything else would put the API on a network. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];

/** 32 random bytes: a new token each run, so one leaked from an old run opens nothing. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export class RequestGuard {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly tokenDigest: Buffer;

  constructor(host: LoopbackHost, port: number, token: string) {
    const names = ['127.0.0.1', 'localhost', ...(host === '::1' ? ['[::1]'] : [])];
    this.hosts = new Set(names.map((n) => `${n}:${port}`));
    this.origins = new Set(names.map((n) => `http://${n}:${port}`));
    this.tokenDigest = digest(token);
  }

  /** Host and Origin, checked for every request, static files included. */
  checkSource(req: IncomingMessage): void {
    const host = req.headers.host?.toLowerCase();
    if (!host || !this.hosts.has(host))
      throw new HttpError(403, `requests must be addressed to ${[...this.hosts].join(' or ')}`);
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin))
      throw new HttpError(403, 'cross-origin requests are refused');
  }

  /**
   * The bearer token, from the Authorization header — or, where `queryAllowed` (the event
   * stream: EventSource cannot set headers), from `?token=`.
   */
  checkToken(req: IncomingMessage, query: URLSearchParams, queryAllowed: boolean): void {
    const header = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const fromQuery = queryAllowed ? query.get('token') : null;
    if (![header, fromQuery].some((t) => t && this.matches(t)))
      throw new HttpError(401, 'a valid API token is required', {
        'WWW-Authenticate': 'Bearer',
      });
  }

  /** Compared as fixed-length digests in constant time, so timing reveals no prefix. */
  private matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
