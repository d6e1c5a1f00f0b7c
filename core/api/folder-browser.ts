/**
 * The browser UI's folder picker (Electron has the native dialog): the folders inside the
 * user's home folder and mounted volumes, one directory at a time. It shows nothing else:
 * a path whose real location (symlinks followed) is outside those roots is refused, and a
 * symlink leading out of them is left out of a listing, so the API cannot be used to look
 * around the rest of the disk. Names come in the text form (core/repo/names.ts); a folder's
 * `path` is what POST /api/folders, a restore target and the next listing take, and is
 * null when the path is not UTF-8 (Floe's folder list holds text paths).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { nameToText } from '../repo/names.js';
import { expandHome, HomePathError } from '../sync/home-path.js';
import { ValidationError } from '../index/validate.js';
import { HttpError } from './http.js';

export interface BrowseRoot {
  name: string;
  path: string;
  kind: 'home' | 'volume';
}

export interface BrowsedFolder {
  /** Text form: UTF-8, `%XX` for other bytes, `%25` for `%`. */
  name: string;
  /** The absolute path to choose or open; null when it is not UTF-8. */
  path: string | null;
  /** A dot-folder, hidden by file managers. */
  hidden: boolean;
  /** A symlink to a folder (inside the roots). */
  symlink: boolean;
}

export interface BrowseAnswer {
  path: string;
  /** The folder above, while it is still inside a root; null at a root. */
  parent: string | null;
  roots: BrowseRoot[];
  folders: BrowsedFolder[];
  /** More folders than a listing holds (`MAX_FOLDERS`). */
  truncated: boolean;
}

/** A listing is for a person to read: past this many, they should type the path. */
const MAX_FOLDERS = 5000;

export interface BrowserPlaces {
  home: () => string;
  /** Where this system mounts removable and other volumes. */
  volumes: () => string[];
}

/** Linux mounts under /media, /mnt and /run/media/$USER; macOS under /Volumes. */
export function systemPlaces(): BrowserPlaces {
  return {
    home: homedir,
    volumes: () => {
      if (process.platform === 'darwin') return ['/Volumes'];
      if (process.platform === 'win32') return [];
      let user = process.env.USER ?? '';
      try {
        user = userInfo().username;
      } catch {
        // No passwd entry (a container): $USER it is.
      }
      return ['/media', '/mnt', ...(user ? [`/run/media/${user}`] : [])];
    },
  };
}

export class FolderBrowser {
  constructor(private readonly places: BrowserPlaces = systemPlaces()) {}

  /** The home folder and every volume root that exists, each with its real location. */
  async roots(): Promise<(BrowseRoot & { real: string })[]> {
    const found: (BrowseRoot & { real: string })[] = [];
    const add = async (name: string, path: string, kind: BrowseRoot['kind']) => {
      const real = await realpath(path).catch(() => null);
      if (real && (await isDirectory(real))) found.push({ name, path, kind, real });
    };
    await add('Home', this.places.home(), 'home');
    for (const v of this.places.volumes()) await add(v, v, 'volume');
    return found;
  }

  /** The folders in `given` (default: the home folder); `~` and relative paths start at home. */
  async list(given?: string): Promise<BrowseAnswer> {
    const roots = await this.roots();
    let path: string;
    try {
      path = given === undefined ? this.places.home() : expandHome(given, this.places.home());
    } catch (error) {
      if (error instanceof HomePathError) throw new ValidationError('path', error.message);
      throw error;
    }
    const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
      throw fsError(path, error);
    });
    const within = (p: string) => roots.some((r) => p === r.real || p.startsWith(r.real + sep));
    if (!within(real))
      throw new HttpError(
        403,
        `${path} is outside your home folder and mounted volumes, which are all this browser shows`,
      );
    if (!(await isDirectory(real))) throw new ValidationError('path', `${path} is not a folder`);

    const entries = await readdir(Buffer.from(real), {
      withFileTypes: true,
      encoding: 'buffer',
    }).catch((error: NodeJS.ErrnoException) => {
      throw fsError(path, error);
    });
    const folders: BrowsedFolder[] = [];
    for (const e of entries) {
      const name = e.name as unknown as Buffer;
      const full = Buffer.concat([Buffer.from(real === sep ? '' : real), Buffer.from(sep), name]);
      let symlink = false;
      if (e.isSymbolicLink()) {
        // Followed only to a folder inside the roots: a listing never points out of them.
        const target = await realpath(full).catch(() => null);
        if (!target || !within(target.toString()) || !(await isDirectory(target))) continue;
        symlink = true;
      } else if (!e.isDirectory()) continue;
      const text = name.toString('utf8');
      folders.push({
        name: nameToText(name),
        path: Buffer.from(text, 'utf8').equals(name) ? join(path, text) : null,
        hidden: name[0] === 0x2e,
        symlink,
      });
    }
    folders.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
    const parent = dirname(path);
    const parentReal = parent === path ? null : await realpath(parent).catch(() => null);
    return {
      path,
      parent: parentReal && within(parentReal) ? parent : null,
      roots: roots.map(({ name, path: p, kind }) => ({ name, path: p, kind })),
      folders: folders.slice(0, MAX_FOLDERS),
      truncated: folders.length > MAX_FOLDERS,
    };
  }
}

async function isDirectory(path: string | Buffer): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function fsError(path: string, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOENT') return new HttpError(404, `${path} does not exist`);
  if (error.code === 'ENOTDIR') return new ValidationError('path', `${path} is not a folder`);
  if (error.code === 'EACCES' || error.code === 'EPERM')
    return new HttpError(403, `${path} cannot be read (permission denied)`);
  return error;
}
