/**
 * The UI's files, served beside the API so that the page and the API share one origin —
 * the only origin the API accepts. They need no token: the page gets it from the URL
 * fragment (which browsers never send to a server) or from Electron's preload.
 *
 * Paths stay inside the directory: `..` segments (however encoded) are refused, and the
 * resolved real path must lie within the directory's, so a symlink cannot lead out.
 * Hidden files are not served. A missing path without an extension falls back to
 * index.html, so the UI's own routes survive a reload.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BASE_HEADERS, HttpError } from './http.js';

/** The page may load only its own scripts, styles and data: injected markup can run nothing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export class StaticFiles {
  private constructor(private readonly root: string) {}

  static async open(dir: string): Promise<StaticFiles> {
    return new StaticFiles(await realpath(dir));
  }

  /** Serves `rawPath` (the request path as sent, still percent-encoded). */
  async serve(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `${req.method} is not allowed here`, { Allow: 'GET, HEAD' });
    const names = rawPath
      .split('/')
      .filter(Boolean)
      .map((part) => {
        let name: string;
        try {
          name = decodeURIComponent(part);
        } catch {
          throw new HttpError(400, 'the path is not well-formed');
        }
        if (name === '.' || name === '..' || /[/\\\0]/.test(name))
          throw new HttpError(403, 'paths outside the UI directory are refused');
        return name;
      });
    if (names.some((n) => n.startsWith('.'))) throw new HttpError(404, 'not found');
    const file =
      (await this.file(join(this.root, ...names))) ??
      (extname(names.at(-1) ?? '') === '' ? await this.file(join(this.root, 'index.html')) : null);
    if (!file) throw new HttpError(404, 'not found');

    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Frame-Options': 'DENY',
      'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(file.size),
    });
    if (req.method === 'HEAD') res.end();
    else await pipeline(createReadStream(file.path), res);
  }

  /** The regular file at `path` (or a directory's index.html), if it lies inside the root. */
  private async file(
    path: string,
    directoryIndex = true,
  ): Promise<{ path: string; size: number } | null> {
    const real = await realpath(path).catch(() => null);
    if (!real || (real !== this.root && !real.startsWith(this.root + sep))) return null;
    const st = await stat(real);
    if (st.isDirectory() && directoryIndex) return this.file(join(real, 'index.html'), false);
    return st.isFile() ? { path: real, size: st.size } : null;
  }
}
